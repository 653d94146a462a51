// Recovery: time from SIGKILL (or SIGSTOP) of a worker holding a chunk to that chunk being taken by
// another worker, read from the workers' own "took chunk" log lines. Two conditions: the backend
// alone (leases, heartbeats), and with the platform's immediate reclaim (RunObserver.reclaimFrom
// when the platform sees the process exit, as the demo does). A frozen process does not exit, so
// the platform cannot help with SIGSTOP: that case is measured for the backend alone only.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { chunkIdsOf } from "../../lib/log/chunk-ids.ts";
import { parseLogLine } from "../../lib/log/parse-log-line.ts";
import { WORKER_VARIABLES } from "../../lib/config/worker-variables.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { pause, waitUntil, type Say } from "./progress.ts";
import { BenchSweep } from "./queue-sweep.ts";
import { roundSummary, summarize, type Summary } from "./stats.ts";

export type RecoveryCondition = { signal: "SIGKILL" | "SIGSTOP"; platformReclaim: boolean };

export type RecoveryFigure = RecoveryCondition & {
  /** Seconds from the signal to the chunk being taken by another worker. */
  seconds: Summary | null;
  failures: number;
  trials: number;
  notes: string[];
};

type Took = { worker: string; chunk: number; delivery: number; at: number };

/** Long enough for the slowest condition: a frozen RabbitMQ worker is cut off after two to three heartbeats. */
const RETAKE_TIMEOUT_MS = Math.max(20_000, 4_000 * Number(WORKER_VARIABLES.RABBITMQ_HEARTBEAT_SECONDS.default));

const RECOVERY_CONDITIONS: RecoveryCondition[] = [
  { signal: "SIGKILL", platformReclaim: false },
  { signal: "SIGKILL", platformReclaim: true },
  { signal: "SIGSTOP", platformReclaim: false },
];

async function oneTrial(backend: BackendName, url: string, plan: BenchPlan["recovery"], c: RecoveryCondition): Promise<number> {
  const sweep = new BenchSweep({ backend, url, params: plan.params, chunkSize: plan.chunkSize, workMs: plan.workMs, label: "rec" });
  const took: Took[] = [];
  sweep.platform.onLine((worker, line) => {
    const e = parseLogLine(line);
    if (!e?.message.startsWith("took ")) return;
    for (const chunk of chunkIdsOf(e.fields)) {
      took.push({ worker, chunk, delivery: Number(e.fields.delivery ?? 0), at: e.time?.getTime() ?? Date.now() });
    }
  });
  const victim = "0";
  if (c.platformReclaim) {
    sweep.platform.onExit((exit) => {
      if (exit.id === victim) void sweep.observer?.reclaimFrom(exit.id).catch(() => 0);
    });
  }
  try {
    await sweep.load();
    await sweep.startWorkers(2);
    // Both workers busy, then the victim's next chunk, caught just after it is taken.
    await waitUntil(() => new Set(took.map((t) => t.worker)).size === 2, "chunk taken by both workers", 30_000, 5);
    const seen = took.length;
    const mine = await waitUntil(() => took.slice(seen).find((t) => t.worker === victim), "new chunk taken by the victim", 10_000, 2);
    const killedAt = Date.now();
    await sweep.platform.kill(victim, c.signal);
    const retaken = await waitUntil(() => took.find((t) => t.worker !== victim && t.chunk === mine.chunk), `chunk ${mine.chunk} taken again`, RETAKE_TIMEOUT_MS, 10);
    return (retaken.at - killedAt) / 1000;
  } finally {
    await sweep.close({ waitMs: 0 });
  }
}

export async function measureRecovery(backend: BackendName, url: string, plan: BenchPlan["recovery"], say: Say): Promise<RecoveryFigure[]> {
  const out: RecoveryFigure[] = [];
  for (const c of RECOVERY_CONDITIONS.filter((x) => plan.sigstop || x.signal !== "SIGSTOP")) {
    const samples: number[] = [];
    const notes: string[] = [];
    for (let t = 0; t < plan.trials; t++) {
      try {
        const s = await oneTrial(backend, url, plan, c);
        samples.push(s);
        say(`${backend} recovery ${c.signal}${c.platformReclaim ? " + platform reclaim" : ", backend alone"} trial ${t + 1}/${plan.trials}: ${s.toFixed(3)} s`);
      } catch (error) {
        notes.push(`trial ${t + 1}: ${(error as Error).message}`);
        say(`${backend} recovery ${c.signal} trial ${t + 1}: ${(error as Error).message}`);
      }
      await pause(100);
    }
    out.push({ ...c, seconds: samples.length ? roundSummary(summarize(samples), 3) : null, failures: plan.trials - samples.length, trials: plan.trials, notes });
  }
  return out;
}
