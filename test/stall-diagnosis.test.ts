// Why a run is stuck, one sentence per cause, from plain facts (no broker needed).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrokerHealth } from "../lib/backends/backend.ts";
import { createProgressView, progressLine } from "../lib/demo/progress-view.ts";
import { BoundedPoll } from "../lib/sweep/bounded-poll.ts";
import { emptySnapshot, type ProgressSnapshot } from "../lib/sweep/progress-snapshot.ts";
import { RedeliveryTracker } from "../lib/sweep/redelivery-tracker.ts";
import { diagnoseStall, type WorkerFacts } from "../lib/sweep/stall-diagnosis.ts";

const healthy: BrokerHealth = { loadedChunks: 10, consumers: 2, staleHolders: {}, staleThresholdMs: 30_000 };

function snapshot(over: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return { ...emptySnapshot(10, 100), chunksDone: 4, paramsDone: 40, pending: 6, broker: healthy, ...over };
}

const running = (id: string, lastLine?: string): WorkerFacts => ({ id, running: true, ...(lastLine ? { lastLine } : {}) });
const exited = (id: string, exit: string, lastLine?: string): WorkerFacts => ({ id, running: false, exit, ...(lastLine ? { lastLine } : {}) });

test("broker unreachable: says so, for how long, with the error, before anything else", () => {
  const d = diagnoseStall({
    snapshot: snapshot(),
    workers: [exited("0", "exit 1")],
    unreachable: { seconds: 12.4, error: "connect ECONNREFUSED 127.0.0.1:6379" },
  });
  assert.equal(d.cause, "broker-unreachable");
  assert.equal(d.text, "the broker is unreachable: no answer for 12 s (connect ECONNREFUSED 127.0.0.1:6379); reconnecting");
});

test("nothing loaded: the plan is missing on the broker", () => {
  const d = diagnoseStall({ snapshot: snapshot({ chunksDone: 0, broker: { ...healthy, loadedChunks: 0 } }), workers: [running("0")] });
  assert.equal(d.cause, "nothing-loaded");
  assert.match(d.text, /^nothing was loaded: the run's plan is missing on the broker/);
});

test("everything left was dead-lettered", () => {
  const d = diagnoseStall({ snapshot: snapshot({ deadLettered: 6, pending: 0 }), workers: [running("0"), running("1")] });
  assert.equal(d.cause, "all-dead-lettered");
  assert.equal(d.text, "everything left was dead-lettered: 6 chunks (see the dead letters)");
});

test("no worker is running: every exit with its code and last log line", () => {
  const d = diagnoseStall({
    snapshot: snapshot({ broker: { ...healthy, consumers: 0 } }),
    workers: [exited("0", "died (SIGKILL)", "took chunk 4"), exited("1", "exit 2", "Invalid CHUNK_SIZE=\"x\""), exited("2", "exit 0")],
  });
  assert.equal(d.cause, "no-workers");
  assert.equal(
    d.text,
    'no worker is consuming: all 3 workers exited (worker 0 died (SIGKILL), last line "took chunk 4"; worker 1 exit 2, last line "Invalid CHUNK_SIZE="x""; worker 2 exit 0, no output)',
  );
});

test("no worker is running: a long list is cut, and none started says so", () => {
  const many = ["0", "1", "2", "3", "4"].map((id) => exited(id, "exit 1"));
  assert.match(diagnoseStall({ snapshot: snapshot(), workers: many }).text, /all 5 workers exited \(.*worker 2 exit 1, no output; and 2 more\)$/);
  assert.equal(diagnoseStall({ snapshot: snapshot(), workers: [] }).text, "no worker is consuming: no worker was started");
});

test("chunks held by a worker that exited", () => {
  const d = diagnoseStall({ snapshot: snapshot({ inFlight: { "1": 3 } }), workers: [running("0"), exited("1", "died (SIGKILL)")] });
  assert.equal(d.cause, "held-by-gone");
  assert.equal(d.text, "3 chunks held by worker 1 (gone: died (SIGKILL)): another worker takes them over once they count as abandoned");
});

test("chunks held by a consumer silent past the stale threshold (Redis), while the platform still runs it", () => {
  const broker = { ...healthy, staleHolders: { "1": 45_200 } };
  const d = diagnoseStall({ snapshot: snapshot({ inFlight: { "0": 1, "1": 2 }, broker }), workers: [running("0"), running("1")] });
  assert.equal(d.cause, "held-by-gone");
  assert.match(d.text, /^2 chunks held by worker 1 \(silent for 45 s, past the 30 s stale threshold\)/);
});

test("chunks held by a consumer the platform never started", () => {
  const d = diagnoseStall({ snapshot: snapshot({ inFlight: { "old-7": 1 } }), workers: [running("0")] });
  assert.match(d.text, /^1 chunk held by worker old-7 \(not among the running workers\)/);
});

test("workers running but none connected to the broker: quotes a last log line", () => {
  const d = diagnoseStall({
    snapshot: snapshot({ broker: { ...healthy, consumers: 0 } }),
    workers: [running("0"), running("1", "waiting for the redis broker: connect ECONNREFUSED")],
  });
  assert.equal(d.cause, "not-connected");
  assert.equal(d.text, 'no worker is consuming: 2 workers are running but none is connected to the broker (worker 1\'s last line: "waiting for the redis broker: connect ECONNREFUSED")');
});

test("alive workers holding chunks are slow, not stalled: the slowest hold is named", () => {
  const d = diagnoseStall({
    snapshot: snapshot({ inFlight: { "0": 2, "1": 1 }, longestHeld: { worker: "1", chunkId: 7, seconds: 41.6 } }),
    workers: [running("0"), running("1")],
  });
  assert.equal(d.cause, "slow");
  assert.equal(d.stalled, false);
  assert.equal(d.text, "not a stall: 3 chunks in flight, the slowest held for 42 s (chunk 7, worker 1)");
  const { broker: _none, ...noBroker } = snapshot({ inFlight: { "0": 1 } });
  assert.equal(diagnoseStall({ snapshot: noBroker, workers: [running("0")] }).text, "not a stall: 1 chunk in flight", "static slices: no broker, no hold times");
});

test("otherwise: chunks wait, workers run, nobody takes one", () => {
  const d = diagnoseStall({ snapshot: snapshot(), workers: [running("0"), running("1")] });
  assert.equal(d.cause, "waiting");
  assert.equal(d.text, "6 chunks waiting and 2 workers running, but none is taken");
});

test("the progress line ends with the note", () => {
  const line = progressLine(snapshot(), 20, { bar: false, note: "no chunk accepted for 12s: why" });
  assert.match(line, /^4\/10 chunks \(40%\) \| .* \| no chunk accepted for 12s: why$/);
});

test("on a terminal the redrawn line with its note fits one row (the note is also said once above it)", () => {
  const written: string[] = [];
  const view = createProgressView({ isTTY: true, columns: 60, write: (s: string) => written.push(s) });
  view.update(snapshot(), 20, "no chunk accepted for 12s: no worker is consuming: all 3 workers exited");
  const line = (written.at(-1) ?? "").replace("\r\x1b[2K", "");
  assert.equal(line.length, 59);
  assert.ok(line.endsWith("…"));
});

test("the redelivery tracker knows the chunk held longest, and forgets finished ones", () => {
  const tracker = new RedeliveryTracker();
  tracker.took("0", 1, new Date(1_000));
  tracker.took("1", 2, new Date(5_000));
  assert.deepEqual(tracker.longestHeld(new Date(11_000)), { worker: "0", chunkId: 1, seconds: 10 });
  tracker.finished(1);
  assert.deepEqual(tracker.longestHeld(new Date(11_000)), { worker: "1", chunkId: 2, seconds: 6 });
  tracker.died("1", new Date(12_000));
  assert.equal(tracker.longestHeld(new Date(13_000)), undefined);
});

test("a dead worker's chunk taken by the process started in its place is a redelivery; its own late line is not", () => {
  const tracker = new RedeliveryTracker();
  tracker.took("0", 7, new Date(1_000));
  tracker.died("0", new Date(2_000));
  assert.equal(tracker.took("0", 7, new Date(1_500)), undefined, "stamped before the death: the dead process's line, read late");
  const r = tracker.took("0", 7, new Date(2_250));
  assert.deepEqual(r && [r.chunkId, r.fromWorker, r.toWorker, r.seconds], [7, "0", "0 (restarted)", 0.25]);
  assert.equal(tracker.redeliveries.length, 1);
});

test("a bounded read: a read that does not answer keeps the last figures and says for how long", async () => {
  let release: (snap: ProgressSnapshot) => void = () => {};
  let calls = 0;
  const poller = new BoundedPoll(() => {
    calls++;
    return new Promise<ProgressSnapshot>((resolve) => (release = resolve));
  }, 30);
  const first = await poller.read();
  assert.equal(first.snap, undefined);
  assert.match(first.unreachable?.error ?? "", /^no answer within 0\.03 s$/);
  const second = await poller.read();
  assert.equal(calls, 1, "the read still waiting is awaited again, not started twice");
  assert.ok((second.unreachable?.seconds ?? 0) >= 0.05);
  release(snapshot());
  const third = await poller.read();
  assert.equal(third.snap?.chunksDone, 4);
  assert.equal(third.unreachable, undefined);
  assert.ok(poller.idle);
});

test("a bounded read: a failing read reports its error until one answers", async () => {
  let fail = true;
  const poller = new BoundedPoll(async () => {
    if (fail) throw new Error("Cannot reach RabbitMQ at amqp://127.0.0.1:5672: still reconnecting");
    return snapshot();
  }, 1000);
  assert.equal((await poller.read()).unreachable?.error, "Cannot reach RabbitMQ at amqp://127.0.0.1:5672: still reconnecting");
  fail = false;
  assert.equal((await poller.read()).unreachable, undefined);
});
