// Scale: a large sweep of the built-in function with no sleep, run by the real coordinator
// (runbook/demo.ts as its own process, so its memory is the coordinator's alone) against a private
// broker, whose memory is read at the end with the run's data still in it.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { startPrivateBroker, type BrokerMemory, type PrivateBroker } from "./brokers.ts";
import { watchPeakRss } from "./proc-memory.ts";
import type { Say } from "./progress.ts";
import { sig } from "./stats.ts";

/** The demo's --results: per-parameter values published by workers and written by the coordinator, or chunk aggregates only. */
export type ResultsGranularity = "params" | "chunks";

export type ScaleFigure = {
  backend: BackendName;
  results: ResultsGranularity;
  params: number;
  chunkSize: number;
  workers: number;
  verdict: string;
  chunksAccepted: number;
  paramsCovered: number;
  /** The demo's own wall time (worker start-up included). */
  wallSeconds: number;
  paramsPerSecond: number;
  coordinatorPeakRssMiB: number | null;
  broker: BrokerMemory & { note: string };
  exitCode: number | null;
};

const DEMO = fileURLToPath(new URL("../../runbook/demo.ts", import.meta.url));
const TMP = fileURLToPath(new URL("../results/tmp/scale", import.meta.url));

type ReportFields = { verdict: string; wallSeconds: number; paramsPerSecond: number; chunks: { accepted: number }; params: { covered: number } };

export async function measureScale(backend: BackendName, plan: BenchPlan["scale"], say: Say): Promise<ScaleFigure[]> {
  const out: ScaleFigure[] = [];
  for (const results of plan.results) {
    say(`${backend} scale: starting a private broker`);
    const broker = await startPrivateBroker(backend);
    try {
      out.push(await scaleRun(backend, plan, results, broker, say));
    } finally {
      await broker.stop();
    }
  }
  return out;
}

/** The results writer at two sizes (Redis, per-parameter values): does its peak memory stay flat? */
export async function measureResultsMemory(plan: BenchPlan["resultsMemory"], say: Say): Promise<ScaleFigure[]> {
  const out: ScaleFigure[] = [];
  for (const params of plan.sizes) {
    say(`results writer: ${params.toLocaleString("en-US")} params with --results params`);
    out.push(...(await measureScale("redis", { params, chunkSize: plan.chunkSize, workers: plan.workers, backends: ["redis"], results: ["params"] }, say)));
  }
  return out;
}

async function scaleRun(backend: BackendName, plan: BenchPlan["scale"], results: ResultsGranularity, broker: PrivateBroker, say: Say): Promise<ScaleFigure> {
  {
    const args = ["--import", import.meta.resolve("tsx"), DEMO, "--backend", backend, "--platform", "local", "--params", String(plan.params),
      "--chunk-size", String(plan.chunkSize), "--work-ms", "0", "--results", results, "--workers", String(plan.workers), "--skip-cleanup", "--yes", "--reports", TMP, "--stall-seconds", "120"];
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...(backend === "redis" ? { REDIS_URL: broker.url } : { AMQP_URL: broker.url }) };
    say(`${backend} scale: ${plan.params.toLocaleString("en-US")} params in chunks of ${plan.chunkSize} on ${plan.workers} workers, --results ${results}`);
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const watch = watchPeakRss(child.pid ?? -1);
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    // Bounded: a generous multiple of the expected time, and a coordinator that reported an error
    // but does not exit (open handles) is stopped a few seconds later.
    const timer = setTimeout(() => child.kill("SIGTERM"), Math.max(120_000, plan.params / 20));
    const errorWatch = setInterval(() => {
      if (/^demo: /m.test(err)) setTimeout(() => child.kill("SIGTERM"), 5000).unref();
    }, 1000);
    const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    clearTimeout(timer);
    clearInterval(errorWatch);
    const peak = watch.stop();
    const reportPath = out.trim().split("\n").at(-1) ?? "";
    if (!reportPath.endsWith("report.json")) throw new Error(`Cannot read the scale run's report: demo exited ${code ?? "by signal"}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}`);
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as ReportFields;
    rmSync(dirname(reportPath), { recursive: true, force: true }); // its results file alone can be ~0.5 GB
    const memory = await broker.memory();
    say(`${backend} scale, --results ${results}: ${report.verdict} in ${report.wallSeconds.toFixed(1)} s, coordinator peak ${peak === null ? "?" : (peak / 2 ** 20).toFixed(0)} MiB`);
    return {
      backend,
      results,
      params: plan.params,
      chunkSize: plan.chunkSize,
      workers: plan.workers,
      verdict: report.verdict,
      chunksAccepted: report.chunks.accepted,
      paramsCovered: report.params.covered,
      wallSeconds: sig(report.wallSeconds),
      paramsPerSecond: sig(report.paramsPerSecond),
      coordinatorPeakRssMiB: peak === null ? null : sig(peak / 2 ** 20, 3),
      broker: { ...memory, note: broker.note },
      exitCode: code,
    };
  }
}
