// The one-command demo: provision the backend, run the sweep on the platform, keep the
// accepted results, write the report.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DemoOptions } from "./demo-options.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { createProgressView } from "./progress-view.ts";
import { prepareKindBroker } from "../kind/kind-broker.ts";
import { KindPlatform } from "../platforms/kind-platform.ts";
import { LocalPlatform } from "../platforms/local-platform.ts";
import type { Platform } from "../platforms/platform.ts";
import { chooseShell } from "../shell/dry-runner.ts";
import type { Shell } from "../shell/run.ts";
import { realShell } from "../shell/zx-runner.ts";
import { buildReport, type ResultsWritten, type RunDescription } from "../report/build-report.ts";
import { RunLedger } from "../report/run-ledger.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { ResultsSpool } from "../results/results-spool.ts";
import { openBackendSession, provideLocalBroker, type ProvidedBroker } from "../sweep/backend-session.ts";
import { demoHeader, demoSummary } from "./demo-output.ts";
import { startDemoMonitor } from "./demo-monitor.ts";
import { describeAutoChunkSize } from "../sweep/auto-chunk-size.ts";
import { resolveDemo, type DemoConfig } from "./resolve-demo.ts";
import { QueueDriver } from "../sweep/queue-driver.ts";
import type { DriverContext, RunDriver } from "../sweep/run-driver.ts";
import { runSweep } from "../sweep/run-sweep.ts";
import { StaticDriver } from "../sweep/static-driver.ts";
import { chunkCount } from "../backends/backend.ts";

export type DemoIO = { out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown } };

type DriverSession = { driver: RunDriver; description: string; close(): Promise<void> };

async function provideBroker(opts: DemoConfig, shell: Shell, print: (line: string) => void): Promise<ProvidedBroker> {
  if (opts.platform === "local") return provideLocalBroker(opts);
  const backend = opts.backend as "redis" | "rabbitmq";
  const broker = await prepareKindBroker(shell, backend, { log: (line) => print(`      ${line}`) });
  return { url: broker.hostUrl, private: false, where: `${backend} on kind cluster ttg-sandbox (port-forwarded)`, stop: () => broker.stop() };
}

function createPlatform(opts: DemoConfig, shell: Shell, dir: string, workDir: string): Platform {
  if (opts.platform === "kind") return new KindPlatform({ shell, runId: opts.runId, backend: opts.backend });
  return new LocalPlatform({ logDir: join(dir, "logs"), workDir });
}

async function createDriver(opts: DemoConfig, ctx: DriverContext, shell: Shell, print: (line: string) => void): Promise<DriverSession> {
  if (opts.backend === "static") {
    return {
      driver: new StaticDriver(ctx, { workers: opts.workers, params: opts.params, maxAttempts: opts.maxDeliveries }),
      description: "static slices, no broker",
      close: async () => {},
    };
  }
  const session = await openBackendSession(opts, await provideBroker(opts, shell, print));
  const driver = new QueueDriver(ctx, session.observer, {
    backend: opts.backend,
    plan: session.plan,
    brokerEnv: session.brokerEnv,
  });
  return { driver, description: session.description, close: () => session.close({ keepData: opts.skipCleanup }) };
}

async function keepResults(opts: DemoConfig, spool: ResultsSpool | undefined, dir: string): Promise<ResultsWritten | undefined> {
  if (!spool) return undefined;
  const file = `results.${opts.resultsFormat}`;
  const written = await spool.finish(join(dir, file));
  return { file, granularity: spool.granularity, format: spool.format, chunks: written.chunks, chunksWithoutValues: spool.missingValues.length };
}

/** Prints what the run would do: on kind, each command through the dry-run shell. */
async function dryRunDemo(opts: DemoConfig, print: (line: string) => void, dir: string): Promise<number> {
  if (opts.platform === "local") {
    print(`dry run: would use ${opts.backend === "static" ? "no broker" : `the local ${opts.backend} (or start a private one)`}, start ${opts.workers} local worker processes and write ${dir}/`);
    return EXIT_CODES.ok;
  }
  const shell = chooseShell(realShell, true, print);
  if (opts.backend !== "static") await prepareKindBroker(shell, opts.backend, { log: print });
  const platform = new KindPlatform({ shell, runId: opts.runId, backend: opts.backend });
  for (let i = 0; i < opts.workers; i++) await platform.startWorker({ id: String(i), env: {} });
  await platform.stopAll(0);
  return EXIT_CODES.ok;
}

export async function runDemo(options: DemoOptions, io: DemoIO): Promise<number> {
  const print = (line = "") => io.out.write(`${line}\n`);
  const { cfg: opts, platformReason } = await resolveDemo(options);
  if (opts.chunkSizeChoice) print(`--chunk-size auto: ${describeAutoChunkSize(opts.chunkSizeChoice)}`);
  for (const line of demoHeader(opts, platformReason)) print(line);
  const dir = reportDir(opts.reportsDir, opts.runId);
  if (opts.dryRun) return dryRunDemo(opts, print, dir);
  const shell = realShell;
  // A rerun of a run id starts from an empty folder: nothing of an earlier run is mixed in.
  await rm(dir, { recursive: true, force: true });
  const expected = opts.backend === "static" ? opts.workers : chunkCount(opts.params, opts.chunkSize);
  const ledger = new RunLedger(expected);
  const spool = opts.results === "none" ? undefined : new ResultsSpool(dir, opts.results, opts.resultsFormat);
  const workDir = join(dir, "work");
  print(`[1/5] Preparing the ${opts.backend} backend`);
  const session = await createDriver(opts, { ledger, runId: opts.runId, workDir, ...(spool ? { results: spool } : {}) }, shell, print);
  let run: RunDescription;
  try {
    print(`      using ${session.description}`);
    const platform = createPlatform(opts, shell, dir, workDir);
    print(`[2/5] Loading ${expected} chunks and starting ${opts.workers} workers on ${opts.platform}`);
    const monitor = await startDemoMonitor(opts, shell, print);
    print("[3/5] Running");
    let interruptedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => (interruptedBy ??= signal);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      run = await runSweep(opts, {
        platform,
        driver: session.driver,
        ledger,
        view: createProgressView(io.out),
        onTick: (snap, elapsed) => monitor.tick(snap, elapsed),
        interrupted: () => interruptedBy,
      });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await monitor.stop();
    }
  } catch (error) {
    await spool?.discard();
    throw error;
  } finally {
    print(opts.skipCleanup ? "[4/5] Keeping the run's queue data (--skip-cleanup)" : "[4/5] Cleaning up the run's queue data");
    await session.close();
  }
  print("[5/5] Writing the results and the report");
  const results = await keepResults(opts, spool, dir);
  await rm(workDir, { recursive: true, force: true });
  // Judged once, after the results are kept: the exit code comes from the verdict alone.
  const report = buildReport(run, ledger, results);
  const written = await writeReport(opts.reportsDir, report);
  for (const line of demoSummary(report)) print(line);
  print(written.json);
  return exitCodeForVerdict(report.verdict);
}
