// Why no chunk has been accepted for a while, in one short sentence, from what the broker
// (the last snapshot) and the platform (running workers, exits, last log lines) know.
// Pure: the sweep calls it on its progress line and when it gives up.
import type { ProgressSnapshot } from "./progress-snapshot.ts";

export type WorkerFacts = {
  id: string;
  running: boolean;
  /** How it ended ("exit 3", "died (SIGKILL)"), when it did. */
  exit?: string;
  /** The last line it logged, when it logged any. */
  lastLine?: string;
};

export type StallFacts = {
  snapshot: ProgressSnapshot;
  workers: readonly WorkerFacts[];
  /** Set while the broker does not answer: for how long and the last error. */
  unreachable?: { seconds: number; error: string };
};

export type StallCause =
  | "broker-unreachable"
  | "nothing-loaded"
  | "all-dead-lettered"
  | "no-workers"
  | "held-by-gone"
  | "not-connected"
  | "slow"
  | "waiting";

export type StallDiagnosis = {
  cause: StallCause;
  /** False when the workers are alive and computing: slow, not stuck. */
  stalled: boolean;
  text: string;
};

const LISTED = 3;

export function diagnoseStall(facts: StallFacts): StallDiagnosis {
  const snap = facts.snapshot;
  const remaining = snap.chunksExpected - snap.chunksDone;
  const held = sum(Object.values(snap.inFlight));
  const running = facts.workers.filter((w) => w.running);
  if (facts.unreachable) {
    const { seconds, error } = facts.unreachable;
    return stalled("broker-unreachable", `the broker is unreachable: no answer for ${whole(seconds)} s (${error}); reconnecting`);
  }
  if (snap.broker && snap.broker.loadedChunks === 0 && remaining > 0) {
    return stalled("nothing-loaded", "nothing was loaded: the run's plan is missing on the broker (removed by a cleanup, or its loader failed)");
  }
  if (remaining > 0 && snap.deadLettered >= remaining && held === 0) {
    return stalled("all-dead-lettered", `everything left was dead-lettered: ${count(snap.deadLettered, "chunk")} (see the dead letters)`);
  }
  if (running.length === 0) return stalled("no-workers", `no worker is consuming: ${describeExits(facts.workers)}`);
  const gone = goneHolders(snap, new Set(running.map((w) => w.id)), facts.workers);
  if (gone.length > 0) {
    const chunks = sum(gone.map((g) => snap.inFlight[g.id] ?? 0));
    return stalled("held-by-gone", `${count(chunks, "chunk")} held by ${listOf(gone.map((g) => `worker ${g.id} (${g.why})`))}: another worker takes them over once they count as abandoned`);
  }
  if (snap.broker && snap.broker.consumers === 0) {
    const quoted = running.find((w) => w.lastLine);
    const last = quoted ? ` (worker ${quoted.id}'s last line: "${quoted.lastLine}")` : "";
    return stalled("not-connected", `no worker is consuming: ${count(running.length, "worker")} ${running.length === 1 ? "is" : "are"} running but none is connected to the broker${last}`);
  }
  if (held > 0) {
    const longest = snap.longestHeld;
    const slowest = longest ? `, the slowest held for ${whole(longest.seconds)} s (chunk ${longest.chunkId}, worker ${longest.worker})` : "";
    return { cause: "slow", stalled: false, text: `not a stall: ${count(held, "chunk")} in flight${slowest}` };
  }
  return stalled("waiting", `${count(snap.pending, "chunk")} waiting and ${count(running.length, "worker")} running, but none is taken`);
}

function stalled(cause: StallCause, text: string): StallDiagnosis {
  return { cause, stalled: true, text };
}

/** Holders the platform no longer runs, or that stopped renewing their chunks past the stale threshold. */
function goneHolders(snap: ProgressSnapshot, running: Set<string>, workers: readonly WorkerFacts[]): { id: string; why: string }[] {
  const out: { id: string; why: string }[] = [];
  for (const [id, chunks] of Object.entries(snap.inFlight)) {
    if (chunks <= 0) continue;
    const idleMs = snap.broker?.staleHolders[id];
    if (!running.has(id)) {
      const exit = workers.find((w) => w.id === id)?.exit;
      out.push({ id, why: exit ? `gone: ${exit}` : "not among the running workers" });
    } else if (idleMs !== undefined) {
      out.push({ id, why: `silent for ${whole(idleMs / 1000)} s, past the ${whole((snap.broker?.staleThresholdMs ?? 0) / 1000)} s stale threshold` });
    }
  }
  return out;
}

function describeExits(workers: readonly WorkerFacts[]): string {
  if (workers.length === 0) return "no worker was started";
  const shown = workers.slice(0, LISTED).map((w) => {
    const last = w.lastLine ? `, last line "${w.lastLine}"` : ", no output";
    return `worker ${w.id} ${w.exit ?? "exited"}${last}`;
  });
  const more = workers.length > LISTED ? `; and ${workers.length - LISTED} more` : "";
  const all = workers.length === 1 ? "the only worker exited" : `all ${workers.length} workers exited`;
  return `${all} (${shown.join("; ")}${more})`;
}

function listOf(items: string[]): string {
  const shown = items.slice(0, LISTED);
  const more = items.length > LISTED ? ` and ${items.length - LISTED} more` : "";
  return `${shown.join(", ")}${more}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function whole(seconds: number): number {
  return Math.round(seconds);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
