// Drives one run end to end on a platform through a backend driver: start workers,
// follow progress, inject the fault, wait until every chunk is settled; returns what ran,
// and the ledger holds what happened (the caller judges the run once its results are kept).
import { sweepJson } from "../sweep-def/sweep-json.ts";
import { sweepShape } from "../sweep-def/sweep-shape.ts";
import { formatDuration } from "../script/progress-bar.ts";
import type { ProgressView } from "./progress-snapshot.ts";
import type { Platform, WorkerExit } from "../platforms/platform.ts";
import { startFleet } from "../platforms/fleet-start.ts";
import { fleetIdleProbeEnv } from "../config/fleet-idle-probe.ts";
import type { RunDescription } from "../report/build-report.ts";
import type { RunLedger } from "../report/run-ledger.ts";
import { BoundedPoll } from "./bounded-poll.ts";
import { FaultDemo } from "./fault-demo.ts";
import { RecoveryLines } from "./recovery-lines.ts";
import { emptySnapshot, type ProgressSnapshot } from "./progress-snapshot.ts";
import type { RunDriver } from "./run-driver.ts";
import type { StallCause, StallDiagnosis } from "./stall-diagnosis.ts";
import { StallWatch } from "./stall-watch.ts";
import { WorkerRestarts } from "./worker-restarts.ts";
import type { SweepConfig } from "./sweep-config.ts";

export type SweepDeps = {
  platform: Platform;
  driver: RunDriver;
  ledger: RunLedger;
  view: ProgressView;
  pollMs?: number;
  /** How long one progress read may wait for the broker before the run counts it as unreachable. */
  pollBoundMs?: number;
  /** Set when the user interrupts the demo (SIGINT/SIGTERM): stop, clean up, report what happened. */
  interrupted?: () => NodeJS.Signals | undefined;
  /** A resumed run: when the run first started (the report covers the whole run from there). */
  resumedFrom?: Date;
  /** Called on every reading; a returned text is printed above the progress line (--monitor cli). */
  onTick?: (snap: ProgressSnapshot, elapsedSeconds: number) => string | undefined;
};

const MAX_SAMPLES = 400;

function sample(ledger: RunLedger, snap: ProgressSnapshot, seconds: number): void {
  const samples = ledger.progress;
  const last = samples.at(-1);
  if (last && last.chunks === snap.chunksDone && last.params === snap.paramsDone && seconds - last.seconds < 5) return;
  const entry = { seconds: Number(seconds.toFixed(2)), chunks: snap.chunksDone, params: snap.paramsDone };
  samples.push(entry);
  ledger.journal?.append([{ k: "sample", sample: entry }]);
  if (samples.length > MAX_SAMPLES) {
    // Thin the older half so a long run keeps its whole shape in bounded space.
    const keep = samples.filter((_, i) => i % 2 === 0 || i >= samples.length - MAX_SAMPLES / 4);
    samples.splice(0, samples.length, ...keep);
  }
}

function workerEnvFor(cfg: SweepConfig, driver: RunDriver, id: string): Record<string, string> {
  return {
    ...cfg.workerEnv,
    // A large fleet's idle workers probe less often each, unless the user set the pace.
    ...fleetIdleProbeEnv(cfg.workers, cfg.workerEnv),
    TOTAL_PARAMETERS: String(cfg.params),
    CHUNK_SIZE: String(cfg.chunkSize),
    // Static slices have no chunks: there --chunk-size sets how often a slice reports progress.
    ...(cfg.backend === "static" ? { BATCH_SIZE: String(cfg.chunkSize) } : {}),
    SIMULATE_WORK_MS: String(cfg.workMs),
    RUN_ID: cfg.runId,
    MAX_DELIVERIES: String(cfg.maxDeliveries),
    ...(cfg.computeModule ? { COMPUTE_MODULE: cfg.computeModule } : {}),
    ...(cfg.sweep ? { SWEEP_JSON: sweepJson(cfg.sweep) } : {}),
    ...(cfg.computeCommand ? { COMPUTE_COMMAND: cfg.computeCommand } : {}),
    ...driver.workerEnv(id),
  };
}

/** What ran; interruptedBy when the user stopped it before it settled (its data is kept for a resume). */
export type SweepOutcome = RunDescription & { interruptedBy?: NodeJS.Signals };

export async function runSweep(cfg: SweepConfig, deps: SweepDeps): Promise<SweepOutcome> {
  const { platform, driver, ledger, view } = deps;
  const pollMs = deps.pollMs ?? 200;
  const startedAt = deps.resumedFrom ?? new Date();
  // Seconds since the run first started: a resumed run's progress continues its first part's.
  const t0 = performance.now() - (Date.now() - startedAt.getTime());
  const elapsed = () => (performance.now() - t0) / 1000;
  const how = `${cfg.workers} workers on ${cfg.platform}, backend ${cfg.backend}`;
  if (deps.resumedFrom) ledger.note("resumed", `${how}; ${ledger.acceptedCount}/${ledger.expectedChunks} chunks already accepted`);
  else ledger.note("start", how, startedAt);

  await driver.prepare();
  const fault = new FaultDemo(cfg, deps);
  const recoveries = new RecoveryLines(ledger, view);
  const poller = new BoundedPoll(() => driver.poll(fault.readMark), deps.pollBoundMs ?? 5000);
  const watch = new StallWatch(platform, ledger, cfg.stallSeconds);
  const restarting = new Set<string>();
  const restarts = new WorkerRestarts(cfg.restartBudget);
  let stopping = false;
  platform.onLine((id, line) => {
    driver.onLine(id, line);
    watch.onLine(id, line);
    fault.afterLine(id);
  });
  /** A dead worker is replaced while the run has work, within the restart budget. */
  const replaceWorker = (exit: WorkerExit): boolean => {
    // A static slice is restarted by its driver, within its own attempts.
    if (deps.interrupted?.() || cfg.backend === "static") return false;
    const decision = restarts.decide(exit, !driver.isSettled());
    if (decision === "replace") ledger.note("note", `worker ${exit.id} ${exit.signal ? `died (${exit.signal})` : `exited with code ${exit.code}`}: started again (restart ${restarts.used} of ${restarts.budget})`);
    if (decision === "budget-spent" && restarts.spentOn?.startsWith(`worker ${exit.id} `)) ledger.note("note", `${restarts.describeCrashLoop()}: not started again`);
    return decision === "replace";
  };
  platform.onExit((exit) => {
    const killedAt = fault.victims.get(exit.id);
    fault.victims.delete(exit.id);
    const row = ledger.worker(exit.id);
    const ended = describeExit(exit, { stopping, fault: killedAt !== undefined });
    row.exit = row.exit === "running" ? ended : `${row.exit}; replaced, then ${ended}`;
    ledger.workerNode(exit.id, platform.workers().find((w) => w.id === exit.id)?.node ?? "");
    if (stopping) return;
    restarting.add(exit.id);
    void driver
      .onWorkerExit(killedAt ? { ...exit, at: killedAt } : exit)
      .then(async ({ restart }) => {
        const replace = restart || replaceWorker(exit);
        if (replace) await platform.startWorker({ id: exit.id, env: workerEnvFor(cfg, driver, exit.id) });
      })
      .catch((error: Error) => view.say(`warning: could not restart worker ${exit.id}: ${error.message}`))
      .finally(() => restarting.delete(exit.id));
  });
  // The first worker at once (a start that cannot happen fails the run here), the others in the
  // background: the local platform starts a few at a time, and the run is followed meanwhile.
  const fleet = await startFleet(platform, cfg.workers, (id) => workerEnvFor(cfg, driver, id), () => stopping || driver.isSettled() || deps.interrupted?.() !== undefined);

  let snap = emptySnapshot(driver.expectedChunks, cfg.params);
  let lastProgressAt = elapsed();
  let lastDone = -1;
  let allGoneSince: number | undefined;
  let shownCause: StallCause | undefined;
  /** Why the sweep stopped early: a problem of the report unless the final read settles the run after all. */
  let stoppedBecause: string | undefined;
  let interruptedBy: NodeJS.Signals | undefined;
  let startFailureNoted = false;
  for (;;) {
    const reading = await poller.read();
    snap = reading.snap ?? snap;
    const now = elapsed();
    if (snap.paramsDone + snap.chunksDone !== lastDone) {
      lastDone = snap.paramsDone + snap.chunksDone;
      lastProgressAt = now;
    }
    const panel = deps.onTick?.(snap, now);
    if (panel) view.say(panel);
    recoveries.sayNew();
    const quiet = now - lastProgressAt;
    const stall = watch.check(snap, quiet, reading.unreachable);
    const why = stall && `no chunk accepted for ${formatDuration(quiet)}: ${stall.text}`;
    // Said once above the line too, whenever the cause changes: a narrow terminal cuts the line.
    if (stall && stall.cause !== shownCause && why) view.say(why);
    shownCause = stall?.cause;
    view.update(snap, now, why);
    sample(ledger, snap, now);
    if (driver.isSettled()) break;
    interruptedBy = deps.interrupted?.();
    if (interruptedBy) {
      const signal = interruptedBy;
      ledger.note("interrupted", `interrupted by ${signal}: workers stopped before the run settled; its data is kept for --resume`);
      break;
    }
    await fault.afterReading(snap);
    if (fleet.error && !startFailureNoted) {
      // The workers already up go on; the run settles with them, or stops as any run without workers.
      startFailureNoted = true;
      ledger.note("note", `could not start every worker: ${fleet.error.message}`);
      view.say(`warning: could not start every worker: ${fleet.error.message}`);
    }
    const alive = platform.workers().filter((w) => w.status !== "exited");
    if (alive.length === 0 && restarting.size === 0 && fleet.finished) {
      // Results may still be on their way from the broker: give them a moment before judging.
      allGoneSince ??= now;
      if (now - allGoneSince > 3) {
        stoppedBecause = recordStop(ledger, watch.diagnose(snap, reading.unreachable), {
          note: "every worker has exited before the run settled",
          problem: restarts.spentOn ? `the run stopped before it settled: ${restarts.describeCrashLoop()}` : "the run stopped before it settled",
        });
        break;
      }
    }
    if (quiet > cfg.stallSeconds) {
      stoppedBecause = recordStop(ledger, watch.diagnose(snap, reading.unreachable), {
        note: `no chunk accepted for ${cfg.stallSeconds} s: giving up`,
        problem: `the run gave up after ${cfg.stallSeconds} s without an accepted chunk`,
      });
      break;
    }
    // A coordinator behind its workers reads on at once; the pause is for a coordinator that has caught up.
    if (!driver.behind) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  if (driver.isSettled()) fault.settled();
  // Workers still waiting for their turn to start are not started: the run is over or stopping.
  await fleet.stop();
  if (fleet.notStarted > 0) ledger.note("note", `${fleet.notStarted} of ${cfg.workers} workers were not started: the run ${driver.isSettled() ? "settled" : "stopped"} before their turn`);
  // Workers leave by themselves once the run is settled; stop whoever is still there.
  if (!interruptedBy) await waitForExits(platform, 3000);
  stopping = true;
  await platform.stopAll(5000);
  // The last results and dead letters, unless the broker is not answering (the run would hang on it).
  let last = await poller.read();
  for (let retry = 0; retry < 2 && !last.snap; retry++) last = await poller.read();
  if (last.snap && poller.idle) {
    await driver.finish();
    snap = await driver.poll();
  } else {
    ledger.note("note", `the last results were not read: ${last.unreachable?.error ?? "the broker did not answer"}`);
  }
  if (stoppedBecause && !driver.isSettled()) ledger.anomalies.push(stoppedBecause);
  const wall = elapsed();
  recoveries.sayNew();
  view.done(snap, wall);
  sample(ledger, snap, wall);
  const finishedAt = new Date(startedAt.getTime() + wall * 1000);
  if (!interruptedBy) ledger.note("finish", `${ledger.acceptedCount}/${ledger.expectedChunks} chunks accepted`, finishedAt);
  await driver.close();
  return {
    ...(interruptedBy ? { interruptedBy } : {}),
    runId: cfg.runId,
    platform: cfg.platform,
    backend: cfg.backend,
    workers: cfg.workers,
    config: {
      scale: cfg.scale,
      params: cfg.params,
      chunkSize: cfg.chunkSize,
      workMs: cfg.workMs,
      computeModule: cfg.computeModule ?? null,
      ...(cfg.computeCommand ? { computeCommand: cfg.computeCommand } : {}),
      ...(cfg.sweepFile ? { sweepFile: cfg.sweepFile } : {}),
      ...(cfg.sweep ? { sweep: sweepShape(cfg.sweep) } : {}),
      faultDemo: cfg.faultDemo,
      maxDeliveries: cfg.maxDeliveries,
      ...(cfg.chunkSizeChoice ? { chunkSizeChoice: cfg.chunkSizeChoice } : {}),
    },
    startedAt,
    finishedAt,
  };
}

/** Why the sweep stopped before the run settled: noted on the timeline; returns the report's problem. */
function recordStop(ledger: RunLedger, stall: StallDiagnosis, what: { note: string; problem: string }): string {
  const why = stall.stalled ? stall.text : `${stall.text}; raise --stall-seconds if evaluations take this long`;
  ledger.note("note", `${what.note}: ${why}`);
  return `${what.problem}: ${why}`;
}

function describeExit(exit: WorkerExit, how: { stopping: boolean; fault: boolean }): string {
  if (how.fault) return `killed by the fault demo (${exit.signal ?? exit.code})`;
  if (exit.signal) return how.stopping ? `stopped at the end (${exit.signal})` : `died (${exit.signal})`;
  return `exit ${exit.code}`;
}

async function waitForExits(platform: Platform, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (platform.workers().some((w) => w.status !== "exited") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
