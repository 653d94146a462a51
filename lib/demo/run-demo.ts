// The one-command demo: provision the backend, run the sweep on the platform, keep the
// accepted results, write the report.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DemoOptions } from "./demo-options.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { createProgressView } from "./progress-view.ts";
import { detectPlatform } from "../platforms/detect-platform.ts";
import { KindPlatform, prepareKindBroker } from "../platforms/kind-platform.ts";
import { LocalPlatform } from "../platforms/local-platform.ts";
import type { Platform } from "../platforms/platform.ts";
import { chooseShell } from "../shell/dry-runner.ts";
import type { Shell } from "../shell/run.ts";
import { requireTool } from "../shell/tools.ts";
import { UsageError } from "../script/usage-error.ts";
import { realShell, zxRun } from "../shell/zx-runner.ts";
import { buildReport, type ResultsWritten, type RunDescription } from "../report/build-report.ts";
import { RunLedger } from "../report/run-ledger.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { ResultsSpool } from "../results/results-spool.ts";
import { openBackendSession, provideLocalBroker, type ProvidedBroker } from "../sweep/backend-session.ts";
import { demoHeader, demoSummary } from "./demo-output.ts";
import { startDemoMonitor } from "./demo-monitor.ts";
import { autoChunkSize, describeAutoChunkSize } from "../sweep/auto-chunk-size.ts";
import { QueueDriver } from "../sweep/queue-driver.ts";
import type { DriverContext, RunDriver } from "../sweep/run-driver.ts";
import { runSweep } from "../sweep/run-sweep.ts";
import { StaticDriver } from "../sweep/static-driver.ts";
import { totalChunks } from "../sweep/sweep-config.ts";
import { checkComputeModule } from "../sweep/check-compute.ts";

export type DemoIO = { out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown } };

type DriverSession = { driver: RunDriver; description: string; close(): Promise<void> };

async function provideBroker(opts: DemoOptions, shell: Shell, print: (line: string) => void): Promise<ProvidedBroker> {
  if (opts.platform === "local") return provideLocalBroker(opts);
  const backend = opts.backend as "redis" | "rabbitmq";
  const broker = await prepareKindBroker(shell, backend, { log: (line) => print(`      ${line}`) });
  return { url: broker.hostUrl, private: false, where: `${backend} on kind cluster ttg-sandbox (port-forwarded)`, stop: () => broker.stop() };
}

function createPlatform(opts: DemoOptions, shell: Shell, dir: string, workDir: string): Platform {
  if (opts.platform === "kind") return new KindPlatform({ shell, runId: opts.runId, backend: opts.backend });
  return new LocalPlatform({ logDir: join(dir, "logs"), workDir });
}

async function createDriver(opts: DemoOptions, ctx: DriverContext, shell: Shell, print: (line: string) => void): Promise<DriverSession> {
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

async function keepResults(opts: DemoOptions, spool: ResultsSpool | undefined, dir: string): Promise<ResultsWritten | undefined> {
  if (!spool) return undefined;
  const file = `results.${opts.resultsFormat}`;
  const written = await spool.finish(join(dir, file));
  return { file, granularity: spool.granularity, format: spool.format, chunks: written.chunks, chunksWithoutValues: spool.missingValues.length };
}

/** --platform, or kind when the ttg-sandbox cluster exists, else local; says which and why. */
async function resolvePlatform(opts: DemoOptions): Promise<string> {
  if (opts.platformChoice === "local") return "chosen with --platform";
  const choice = await detectPlatform(zxRun);
  if (opts.platformChoice === "kind") {
    for (const tool of ["kubectl", "kind", "docker"]) requireTool(tool);
    if (choice.platform !== "kind") throw new UsageError(`Cannot use --platform kind: ${choice.reason}.`);
    return "chosen with --platform";
  }
  opts.platform = choice.platform;
  return choice.reason;
}

/** Prints what the run would do: on kind, each command through the dry-run shell. */
async function dryRunDemo(opts: DemoOptions, print: (line: string) => void, dir: string): Promise<number> {
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

export async function runDemo(opts: DemoOptions, io: DemoIO): Promise<number> {
  const print = (line = "") => io.out.write(`${line}\n`);
  const reason = await resolvePlatform(opts);
  // Before anything is loaded or started: a module that cannot load would fail every chunk.
  if (!opts.dryRun) await checkComputeModule(opts.computeModule);
  if (opts.chunkSizeAuto) {
    const choice = await autoChunkSize(opts);
    opts.chunkSize = choice.chunkSize;
    opts.chunkSizeChoice = choice;
    print(`--chunk-size auto: ${describeAutoChunkSize(choice)}`);
  }
  for (const line of demoHeader(opts, reason)) print(line);
  const dir = reportDir(opts.reportsDir, opts.runId);
  if (opts.dryRun) return dryRunDemo(opts, print, dir);
  const shell = realShell;
  // A rerun of a run id starts from an empty folder: nothing of an earlier run is mixed in.
  await rm(dir, { recursive: true, force: true });
  const expected = opts.backend === "static" ? opts.workers : totalChunks(opts.params, opts.chunkSize);
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
