// One run of runbook/demo.ts as its own process, so its memory is the coordinator's alone: its
// peak RSS sampled from /proc while it runs, then the figures of the report it wrote (the report's
// folder is removed: its results file alone can be ~0.5 GB).
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { watchPeakRss } from "./proc-memory.ts";
import { sig } from "./stats.ts";

const DEMO = fileURLToPath(new URL("../../runbook/demo.ts", import.meta.url));

/** The report.json fields the bench reads. */
export type DemoReportFields = { verdict: string; wallSeconds: number; paramsPerSecond: number; chunks: { accepted: number }; params: { covered: number } };

export type DemoRun = { report: DemoReportFields; peakRssBytes: number | null; exitCode: number | null };

/** What a measured demo run shows in the bench report, whichever phase ran it. */
export type DemoRunFigure = {
  verdict: string;
  chunksAccepted: number;
  paramsCovered: number;
  /** The demo's own wall time (worker start-up included). */
  wallSeconds: number;
  paramsPerSecond: number;
  coordinatorPeakRssMiB: number | null;
  exitCode: number | null;
};

/** "pass in 6.6 s, coordinator peak 139 MiB" */
export function demoRunLine(f: DemoRunFigure): string {
  return `${f.verdict} in ${f.wallSeconds.toFixed(1)} s, coordinator peak ${f.coordinatorPeakRssMiB === null ? "?" : f.coordinatorPeakRssMiB.toFixed(0)} MiB`;
}

export function demoRunFigure(run: DemoRun): DemoRunFigure {
  const { report, peakRssBytes: peak, exitCode } = run;
  return {
    verdict: report.verdict,
    chunksAccepted: report.chunks.accepted,
    paramsCovered: report.params.covered,
    wallSeconds: sig(report.wallSeconds),
    paramsPerSecond: sig(report.paramsPerSecond),
    coordinatorPeakRssMiB: peak === null ? null : sig(peak / 2 ** 20, 3),
    exitCode,
  };
}

/**
 * Runs the demo on the local platform against the broker at `url` with `args` (its flags besides
 * --backend, --platform and --reports), writing its report under `reportsDir`. Bounded by
 * `timeoutMs`; a demo that printed its one-line error but does not exit is stopped 5 s later.
 */
export async function runDemoMeasured(backend: BackendName, url: string, args: readonly string[], o: { reportsDir: string; timeoutMs: number }): Promise<DemoRun> {
  const argv = ["--import", import.meta.resolve("tsx"), DEMO, "--backend", backend, "--platform", "local", "--yes", "--reports", o.reportsDir, ...args];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...(backend === "redis" ? { REDIS_URL: url } : { AMQP_URL: url }) };
  const child = spawn(process.execPath, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
  const watch = watchPeakRss(child.pid ?? -1);
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill("SIGTERM"), o.timeoutMs);
  const errorWatch = setInterval(() => {
    if (/^demo: /m.test(err)) setTimeout(() => child.kill("SIGTERM"), 5000).unref();
  }, 1000);
  const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  clearTimeout(timer);
  clearInterval(errorWatch);
  const peak = watch.stop();
  const reportPath = out.trim().split("\n").at(-1) ?? "";
  if (!reportPath.endsWith("report.json")) throw new Error(`Cannot read the demo's report: demo exited ${code ?? "by signal"}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}`);
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as DemoReportFields;
  rmSync(dirname(reportPath), { recursive: true, force: true });
  return { report, peakRssBytes: peak, exitCode: code };
}
