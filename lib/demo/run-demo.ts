// The one-command demo: provision the backend, run the sweep on the platform, keep the
// accepted results, write the report.
import { rm } from "node:fs/promises";
import { BadInput } from "../script/bad-input.ts";
import { removeRunWorkers } from "../kind/resume-run.ts";
import { join } from "node:path";
import type { DemoOptions } from "./demo-options.ts";
import { resumeCommand } from "./resume-command.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { createProgressView } from "./progress-view.ts";
import { prepareKindBroker } from "../kind/kind-broker.ts";
import { KindPlatform } from "../platforms/kind-platform.ts";
import { LocalPlatform } from "../platforms/local-platform.ts";
import { ensureWorkerImage } from "../kind/ensure-image.ts";
import { postRunCleanup } from "./post-run-cleanup.ts";
import type { Platform } from "../platforms/platform.ts";
import { chooseShell } from "../shell/dry-runner.ts";
import type { Shell } from "../shell/run.ts";
import { realShell } from "../shell/zx-runner.ts";
import { buildReport, type ResultsWritten } from "../report/build-report.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { finishParamResults } from "../results/sweep-results.ts";
import { sweepSpace } from "../sweep-def/sweep-space.ts";
import type { ResultsSpool } from "../results/results-spool.ts";
import { openBackendSession, provideLocalBroker, type ProvidedBroker } from "../sweep/backend-session.ts";
import { demoHeader, demoSummary } from "./demo-output.ts";
import { startDemoMonitor, type DemoMonitor } from "./demo-monitor.ts";
import { describeAutoChunkSize } from "../sweep/auto-chunk-size.ts";
import { resolveDemo, type DemoConfig } from "./resolve-demo.ts";
import { QueueDriver } from "../sweep/queue-driver.ts";
import type { DriverContext, RunDriver } from "../sweep/run-driver.ts";
import { runSweep, type SweepOutcome } from "../sweep/run-sweep.ts";
import { StaticDriver } from "../sweep/static-driver.ts";
import { freshRunFolder, reopenRunFolder, type ReopenedRunFolder, type RunFolder } from "./run-folder.ts";
import { resumeDemoOptions } from "./resume-options.ts";
import { checkComputeCommand, checkComputeModule } from "../sweep/check-compute.ts";
import { refuseRunOfAnotherPlan } from "./run-id-in-use.ts";

export type DemoIO = {
  out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown };
  /** The post-run cleanup question on a terminal (never asked with --yes or without a terminal). */
  confirm?: (question: string) => Promise<boolean>;
};

/** outlivesRun: the run's broker data survives this coordinator (false: static, or a private broker). */
type DriverSession = {
  driver: RunDriver;
  description: string;
  outlivesRun: boolean;
  /** The run's broker from this host, for the web dashboard (absent for static slices). */
  broker?: { url: string; namespace: string };
  close(o: { keepData: boolean }): Promise<void>;
};

async function provideBroker(opts: DemoConfig, shell: Shell, print: (line: string) => void): Promise<ProvidedBroker> {
  if (opts.platform === "local") return provideLocalBroker(opts);
  const backend = opts.backend as "redis" | "rabbitmq";
  const broker = await prepareKindBroker(shell, backend, { context: opts.kubeContext, log: (line) => print(`      ${line}`) });
  return { url: broker.hostUrl, private: false, where: `${backend} on context ${opts.kubeContext} (port-forwarded)`, stop: () => broker.stop() };
}

function createPlatform(opts: DemoConfig, shell: Shell, dir: string, workDir: string): Platform {
  if (opts.platform === "kind") return new KindPlatform({ shell, runId: opts.runId, backend: opts.backend, target: { context: opts.kubeContext } });
  return new LocalPlatform({ logDir: join(dir, "logs"), workDir });
}

async function createDriver(
  opts: DemoConfig,
  ctx: DriverContext,
  shell: Shell,
  print: (line: string) => void,
  resumed: ReopenedRunFolder | undefined,
): Promise<DriverSession> {
  if (opts.backend === "static") {
    return {
      driver: new StaticDriver(ctx, { workers: opts.workers, params: opts.params, maxAttempts: opts.maxDeliveries }),
      description: "static slices, no broker",
      outlivesRun: false,
      close: async () => {},
    };
  }
  const session = await openBackendSession(opts, await provideBroker(opts, shell, print), { resume: resumed !== undefined });
  const driver = new QueueDriver(ctx, session.observer, {
    backend: opts.backend,
    plan: session.plan,
    brokerEnv: session.brokerEnv,
  });
  if (resumed) {
    const restored = driver.restore(resumed.chunks, resumed.keptValues);
    print(`      ${restored} of ${driver.expectedChunks} chunks were accepted before the interruption; the broker holds the rest of the run`);
  }
  return { driver, description: session.description, outlivesRun: session.outlivesRun, broker: session.broker, close: (o) => session.close(o) };
}

async function keepResults(opts: DemoConfig, spool: ResultsSpool | undefined, dir: string, range: { min: number | null; max: number | null }, print: (line: string) => void): Promise<ResultsWritten | undefined> {
  if (!spool) return undefined;
  const file = `results.${opts.resultsFormat}`;
  const written = await spool.finish(join(dir, file));
  const kept = { file, granularity: spool.granularity, format: spool.format, chunks: written.chunks, chunksWithoutValues: spool.missingValues.length };
  if (spool.granularity !== "params") return kept;
  // A column per sweep axis and the value pictures' data, in one streamed pass over the file.
  const bounds = { min: range.min ?? 0, max: range.max ?? 0 };
  const total = opts.params.toLocaleString("en-US");
  const progress = (lines: number) => print(`      ${file}: ${lines.toLocaleString("en-US")} of ${total} parameters' lines read${opts.sweep ? " (axis columns added)" : ""}`);
  const { values } = await finishParamResults(written.path, spool.format, opts.sweep ? sweepSpace(opts.sweep) : undefined, bounds, progress);
  return { ...kept, ...(range.min === null ? {} : { values }) };
}

/** Prints what the run would do: on kind, each command through the dry-run shell. */
async function dryRunDemo(opts: DemoConfig, print: (line: string) => void, dir: string): Promise<number> {
  if (opts.platform === "local") {
    print(`dry run: would use ${opts.backend === "static" ? "no broker" : `the local ${opts.backend} (or start a private one)`}, start ${opts.workers} local worker processes and write ${dir}/`);
    return EXIT_CODES.ok;
  }
  const shell = chooseShell(realShell, true, print);
  await ensureWorkerImage(shell.run, { build: opts.build, log: print });
  if (opts.backend !== "static") await prepareKindBroker(shell, opts.backend, { context: opts.kubeContext, log: print });
  const platform = new KindPlatform({ shell, runId: opts.runId, backend: opts.backend, target: { context: opts.kubeContext } });
  for (let i = 0; i < opts.workers; i++) await platform.startWorker({ id: String(i), env: {} });
  await platform.stopAll(0);
  return EXIT_CODES.ok;
}

/** The run stopped before it settled (interrupted, stalled, failed): its data is kept for a resume. */
function resumeHint(opts: DemoConfig): string[] {
  return ["The run's queue data and its folder are kept. Resume it with:", `  ${resumeCommand(opts)}`];
}

/** A run that cannot be resumed: static slices, or a private broker that stopped with the demo. */
function lostHint(runId: string): string[] {
  return [`This run keeps no state to resume from (static slices, or a broker started only for it); start it again with ./runbook/demo.ts --run-id ${runId}`];
}

export async function runDemo(given: DemoOptions, io: DemoIO): Promise<number> {
  const print = (line = "") => io.out.write(`${line}\n`);
  // Loaded only for --retry-failed (it brings the CSV reader along).
  if (given.retryFailed) return (await import("./retry-failed.ts")).retryFailedParams(given, given.retryFailed, print);
  const resuming = given.resume ? await resumeDemoOptions(given, given.resume) : undefined;
  const options = resuming?.opts ?? given;
  // Before anything is measured, loaded or started: a module that cannot load would fail every chunk.
  if (!options.dryRun) {
    await checkComputeModule(options.computeModule, options.sweep);
    await checkComputeCommand(options.computeCommand);
  }
  const { cfg: opts, platformReason } = await resolveDemo(options);
  if (opts.chunkSizeChoice && opts.chunkSizeAuto) print(`--chunk-size auto: ${describeAutoChunkSize(opts.chunkSizeChoice)}`);
  for (const line of demoHeader(opts, platformReason)) print(line);
  if (resuming) print(`Resuming run ${opts.runId}, started ${resuming.saved.startedAt}`);
  // Before the folder of an earlier run of this id is emptied: a run of another plan keeps it.
  else await refuseRunOfAnotherPlan(opts);
  if (opts.dryRun) return dryRunDemo(opts, print, reportDir(opts.reportsDir, opts.runId));
  const shell = realShell;
  const folder = resuming ? await reopenRunFolder(opts, resuming.saved) : await freshRunFolder(opts, new Date());
  const { ledger, spool, workDir, dir } = folder;
  print(`[1/5] Preparing the ${opts.backend} backend`);
  if (opts.platform === "kind") await ensureWorkerImage(shell.run, { build: opts.build, log: (line) => print(`      ${line}`) });
  const ctx: DriverContext = { ledger, runId: opts.runId, workDir, ...(spool ? { results: spool } : {}) };
  const session = await createDriver(opts, ctx, shell, print, resuming ? (folder as ReopenedRunFolder) : undefined).catch(async (error: unknown) => {
    await closeFolder(folder, { keep: false });
    // Nothing ran: a new run leaves no folder behind (its run.json would name a run that never started).
    if (!resuming) await rm(dir, { recursive: true, force: true });
    throw error;
  });
  let run: SweepOutcome | undefined;
  let failure: unknown;
  let keep: boolean;
  // The web dashboard outlives the sweep: it shows the written report, then stops with the demo.
  let monitor: DemoMonitor | undefined;
  try {
    print(`      using ${session.description}`);
    if (resuming && opts.platform === "kind") {
      const removed = await removeRunWorkers(shell.run, opts.runId, { context: opts.kubeContext });
      if (removed > 0) print(`      removed ${removed} worker pod(s) left from before the interruption`);
    }
    const platform = createPlatform(opts, shell, dir, workDir);
    print(`[2/5] Loading ${ledger.expectedChunks} chunks and starting ${opts.workers} workers on ${opts.platform}`);
    const started = await startDemoMonitor(opts, shell, print, { platform, ...(session.broker ? { broker: session.broker } : {}), target: { context: opts.kubeContext } });
    monitor = started;
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
        onTick: (snap, elapsed) => started.tick(snap, elapsed),
        interrupted: () => interruptedBy,
        ...(resuming ? { resumedFrom: (folder as ReopenedRunFolder).startedAt } : {}),
      });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  } catch (error) {
    failure = error;
    await monitor?.stop();
    throw error;
  } finally {
    // A run that did not settle (interrupted, stalled, or stopped by an error) keeps its data for a
    // resume; a settled one, or bad input (nothing could run), leaves nothing behind.
    const settled = run !== undefined && !run.interruptedBy && session.driver.isSettled();
    keep = session.outlivesRun && !settled && !(failure instanceof BadInput);
    print(keep ? "[4/5] Keeping the run's queue data for a resume" : opts.skipCleanup ? "[4/5] Keeping the run's queue data (--skip-cleanup)" : "[4/5] Cleaning up the run's queue data");
    await session.close({ keepData: keep || opts.skipCleanup });
    if (keep || failure !== undefined || run?.interruptedBy) await closeFolder(folder, { keep });
    if (keep && failure !== undefined) for (const line of resumeHint(opts)) print(line);
  }
  // On kind, the run's pods go after the report (asked on a terminal, kept with --skip-cleanup).
  const afterReport = async () => {
    if (opts.platform !== "kind") return;
    const confirm = io.confirm ?? (async () => true);
    await postRunCleanup(shell, { runId: opts.runId, target: { context: opts.kubeContext }, skipCleanup: opts.skipCleanup, yes: opts.yes }, { print, confirm });
  };
  try {
    return await writeOutcome(opts, run, folder, keep, print, afterReport);
  } finally {
    await monitor?.stop();
  }
}

/** After the sweep: an interrupted run's resume hint, or the results and the one report of the run. */
async function writeOutcome(opts: DemoConfig, run: SweepOutcome, folder: RunFolder, kept: boolean, print: (line: string) => void, afterReport: () => Promise<void>): Promise<number> {
  if (run.interruptedBy) {
    print(`Run ${opts.runId} interrupted by ${run.interruptedBy} before it settled.`);
    for (const line of kept ? resumeHint(opts) : lostHint(opts.runId)) print(line);
    return EXIT_CODES.interrupted;
  }
  print("[5/5] Writing the results and the report");
  // A kept run's results file is written by the resume that settles it.
  const results = kept ? undefined : await keepResults(opts, folder.spool, folder.dir, folder.ledger.aggregate.build(), print);
  if (!kept) {
    folder.journal.close();
    await rm(folder.workDir, { recursive: true, force: true });
  }
  // Judged once, after the results are kept: the exit code comes from the verdict alone.
  const report = buildReport(run, folder.ledger, results);
  const written = await writeReport(opts.reportsDir, report);
  for (const line of demoSummary(report)) print(line);
  if (kept) for (const line of resumeHint(opts)) print(line);
  await afterReport();
  print(written.json);
  return exitCodeForVerdict(report.verdict);
}

/** Closes the journal and the spool: kept for a resume, or removed with the work folder. */
async function closeFolder(folder: RunFolder, o: { keep: boolean }): Promise<void> {
  folder.journal.close();
  if (o.keep) {
    await folder.spool?.close();
    return;
  }
  await folder.spool?.discard();
  await rm(folder.workDir, { recursive: true, force: true });
}
