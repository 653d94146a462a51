// A queue backend (Redis Streams or RabbitMQ) as a run: load the chunks once, let workers
// pull them, read results into the ledger (duplicates discarded there), and, when the
// platform sees a worker die, hand its chunks to the others at once.
import type { ChunkResult, RunObserver, RunPlan } from "../backends/backend.ts";
import { chunkIdsOf } from "../log/chunk-ids.ts";
import { parseLogLine } from "../log/parse-log-line.ts";
import type { WorkerExit } from "../platforms/platform.ts";
import type { Redelivery } from "../report/report-model.ts";
import type { JournalEntry, JournaledChunk } from "../report/run-journal.ts";
import type { AcceptedChunk } from "../report/run-ledger.ts";
import { emptySnapshot, type ProgressSnapshot } from "./progress-snapshot.ts";
import { RedeliveryTracker } from "./redelivery-tracker.ts";
import type { DriverContext, LineProgress, RunDriver } from "./run-driver.ts";

/** How often at most the best so far is published for the monitor while it changes. */
const BEST_PUBLISH_EVERY_MS = 1000;

/**
 * Longest a progress read spends accepting results before it reports. Workers publishing values
 * faster than the coordinator keeps them (10,000,000 values on RabbitMQ: one read took the whole
 * 19 s run) would otherwise hold progress at 0, have the bounded read take the broker for one that
 * does not answer, and the stall watch give up on a healthy run.
 */
export const POLL_BUDGET_MS = 1000;

export type QueueDriverOptions = {
  backend: "redis" | "rabbitmq";
  plan: RunPlan;
  /** Environment that points workers at the broker (URL, namespace, timings). */
  brokerEnv: Record<string, string>;
  /** Longest a poll spends accepting results (default POLL_BUDGET_MS). */
  pollBudgetMs?: number;
};

export class QueueDriver implements RunDriver {
  readonly expectedChunks: number;
  readonly #ctx: DriverContext;
  readonly #observer: RunObserver;
  readonly #o: QueueDriverOptions;
  readonly #tracker = new RedeliveryTracker();
  readonly #deadSeen = new Set<string>();
  #brokerDuplicates = 0;
  #finished = false;
  #behind = false;
  #chunksTaken = 0;
  /** Results read but not yet accepted: a read paused at its mark. Accepted before anything new is read (and so acknowledged). */
  #held: ChunkResult[] = [];
  #lastStats: Awaited<ReturnType<RunObserver["stats"]>> | undefined;
  /** The best's version last published for the monitor, and when (at most one publish a second). */
  #bestPublished = { version: 0, at: Number.NEGATIVE_INFINITY };
  /** Chunks a previous coordinator of this (resumed) run accepted: chunk id -> which result it was. */
  readonly #restored = new Map<number, string>();

  constructor(ctx: DriverContext, observer: RunObserver, options: QueueDriverOptions) {
    this.#ctx = ctx;
    this.#observer = observer;
    this.#o = options;
    this.expectedChunks = options.plan.totalChunks;
  }

  get lineProgress(): LineProgress {
    return { share: this.#chunksTaken / this.expectedChunks, of: "the chunks taken", after: "it took chunks" };
  }

  get tracker(): RedeliveryTracker {
    return this.#tracker;
  }

  async prepare(): Promise<void> {
    await this.#observer.ensureLoaded(this.#o.plan);
  }

  workerEnv(): Record<string, string> {
    const values = this.#ctx.results?.granularity === "params" ? { PUBLISH_VALUES: "true" } : {};
    return { QUEUE_MODE: "true", QUEUE_BACKEND: this.#o.backend, ...values, ...this.#o.brokerEnv };
  }

  onLine(workerId: string, line: string): void {
    const parsed = parseLogLine(line);
    if (!parsed) return;
    // "took chunk 5" / "took 200 chunks" (chunks=5-204), and the same for "completed".
    const took = parsed.message.startsWith("took ");
    if (!took && !parsed.message.startsWith("completed ")) return;
    for (const chunkId of chunkIdsOf(parsed.fields)) {
      if (!took) {
        this.#tracker.finished(chunkId);
        continue;
      }
      this.#chunksTaken++;
      const r = this.#tracker.took(workerId, chunkId, parsed.time ?? new Date());
      if (r) this.#noteRecovery(r);
    }
  }

  #noteRecovery(r: Redelivery): void {
    this.#ctx.ledger.note(
      "recovered",
      `chunk ${r.chunkId} of dead worker ${r.fromWorker} taken by worker ${r.toWorker} after ${r.seconds.toFixed(2)} s`,
      new Date(r.takenAt),
    );
  }

  async onWorkerExit(exit: WorkerExit): Promise<{ restart: boolean }> {
    if (exit.code !== 0) {
      for (const r of this.#tracker.died(exit.id, exit.at)) this.#noteRecovery(r);
      const moved = await this.#observer.reclaimFrom(exit.id);
      if (moved > 0) this.#ctx.ledger.note("note", `${moved} chunk(s) of worker ${exit.id} handed back to the queue`);
    }
    return { restart: false };
  }

  #accept(r: Omit<ChunkResult, "values">): boolean {
    const ledger = this.#ctx.ledger;
    const chunk: AcceptedChunk = { chunkId: r.chunkId, start: r.start, end: r.end, worker: r.worker, aggregate: r.aggregate };
    if (r.best) chunk.best = r.best;
    if (r.failed) chunk.failed = r.failed;
    const accepted = ledger.accept(chunk, r.busySeconds, r.finishedAt);
    if (accepted && r.attempt > 1) ledger.redelivered++;
    return accepted;
  }

  /**
   * Accepts what the broker hands over, keeps the values in the spool and journals each accepted
   * chunk once its bytes are on disk: only then is the broker told (on the next read) that they are kept.
   */
  async #acceptAll(results: ChunkResult[]): Promise<void> {
    const kept: JournalEntry[] = [];
    for (const r of results) {
      this.#tracker.finished(r.chunkId);
      // A result the interrupted coordinator had kept, read again from the broker: no second copy.
      if (this.#restored.get(r.chunkId) === resultIdentity(r)) continue;
      if (!this.#accept(r)) continue;
      const range = await this.#ctx.results?.add(r);
      const { values: _values, ...chunk } = r;
      kept.push({ k: "chunk", chunk: range ? { ...chunk, spool: range } : chunk });
    }
    const journal = this.#ctx.ledger.journal;
    if (kept.length === 0 || !journal) return;
    await this.#ctx.results?.sync();
    journal.append(kept, { sync: true });
  }

  /**
   * A resumed run: the chunks its interrupted coordinator accepted, from its journal (values already
   * in the spool when `keptValues` says so). Returns how many were restored.
   */
  restore(chunks: readonly JournaledChunk[], keptValues: (chunk: JournaledChunk) => boolean): number {
    let restored = 0;
    for (const chunk of chunks) {
      // Values not in the spool (a machine crash cut it): read again from the broker if it still has them.
      if (!keptValues(chunk)) continue;
      if (!this.#accept(chunk)) continue;
      this.#restored.set(chunk.chunkId, resultIdentity(chunk));
      restored++;
    }
    return restored;
  }

  /** True when the last read stopped at its budget with results still waiting: the coordinator is behind its workers. */
  get behind(): boolean {
    return this.#behind;
  }

  /**
   * Reads results for up to budgetMs, a bounded batch at a time, each spooled to disk before the next
   * is read. With a mark, the read stops once that many parameters are done and holds the rest.
   */
  async #readResults(budgetMs: number, pauseAtParams?: number): Promise<void> {
    const until = performance.now() + budgetMs;
    // A mark already passed holds nothing back.
    const mark = pauseAtParams !== undefined && this.#paramsDone() < pauseAtParams ? pauseAtParams : undefined;
    this.#behind = false;
    for (;;) {
      const batch = this.#held.length > 0 ? this.#held.splice(0) : await this.#observer.readNewResults();
      if (batch.length === 0) return;
      const cut = mark === undefined ? batch.length : resultsToReach(batch, mark - this.#paramsDone());
      // The batch just kept is acknowledged by the next read, as it would be by the one that finds none.
      await this.#acceptAll(batch.slice(0, cut));
      this.#held = batch.slice(cut);
      const atMark = mark !== undefined && this.#paramsDone() >= mark;
      if (atMark || this.#held.length > 0 || performance.now() >= until) {
        this.#behind = true;
        return;
      }
    }
  }

  #paramsDone(): number {
    return this.#ctx.ledger.aggregate.count + this.#ctx.ledger.failedParams.length;
  }

  async poll(pauseAtParams?: number): Promise<ProgressSnapshot> {
    return this.#pollWithin(this.#o.pollBudgetMs ?? POLL_BUDGET_MS, pauseAtParams);
  }

  async #pollWithin(budgetMs: number, pauseAtParams?: number): Promise<ProgressSnapshot> {
    const ledger = this.#ctx.ledger;
    await this.#readResults(budgetMs, pauseAtParams);
    await this.#publishBest(false);
    const stats = await this.#observer.stats();
    this.#lastStats = stats;
    this.#brokerDuplicates = stats.duplicates;
    if (stats.deadLettered > ledger.deadLetters.length) await this.#readDeadLetters();
    const snap = emptySnapshot(this.expectedChunks, this.#o.plan.totalParameters);
    snap.chunksDone = ledger.acceptedCount;
    snap.chunksDoneOnBroker = Math.max(stats.accepted, ledger.acceptedCount);
    snap.paramsDone = this.#paramsDone();
    snap.failedParams = ledger.failedParams.length;
    snap.deadLettered = ledger.deadLetters.length;
    snap.duplicates = ledger.duplicatesDiscarded + (this.#finished ? 0 : this.#brokerDuplicates);
    snap.pending = stats.pending;
    snap.inFlight = stats.inFlight;
    if (stats.health) snap.broker = stats.health;
    const best = ledger.bestSoFar();
    if (best) snap.best = best;
    const longest = this.#tracker.longestHeld(new Date());
    if (longest) snap.longestHeld = longest;
    return snap;
  }

  /** Puts the best so far where the monitor and the dashboard read it, when it changed (at once when `now`). */
  async #publishBest(now: boolean): Promise<void> {
    const best = this.#ctx.ledger.best;
    const last = this.#bestPublished;
    if (!this.#observer.publishBest || best.empty || best.version === last.version) return;
    if (!now && performance.now() - last.at < BEST_PUBLISH_EVERY_MS) return;
    this.#bestPublished = { version: best.version, at: performance.now() };
    await this.#observer.publishBest(this.#ctx.ledger.bestPoints());
  }

  async #readDeadLetters(): Promise<void> {
    for (const d of await this.#observer.deadLetters()) {
      const key = d.chunkId === null ? `raw:${d.raw}` : String(d.chunkId);
      if (this.#deadSeen.has(key)) continue;
      this.#deadSeen.add(key);
      if (d.chunkId !== null) this.#tracker.finished(d.chunkId);
      if (d.chunkId !== null && this.#ctx.ledger.has(d.chunkId)) continue;
      this.#ctx.ledger.deadLetters.push({
        chunkId: d.chunkId ?? -1,
        start: d.start ?? 0,
        end: d.end ?? 0,
        attempts: d.attempts,
        error: d.chunkId === null ? `malformed message dead-lettered: ${d.error}` : d.error,
      });
    }
  }

  isSettled(): boolean {
    const ledger = this.#ctx.ledger;
    const deadChunks = ledger.deadLetters.filter((d) => d.chunkId >= 0).length;
    return ledger.acceptedCount + deadChunks >= this.expectedChunks;
  }

  pickVictim(running: string[]): string | undefined {
    const holders = this.#tracker.holders();
    const inFlight = this.#lastStats?.inFlight ?? {};
    return running.find((id) => holders.has(id) || (inFlight[id] ?? 0) > 0) ?? running[0];
  }

  async finish(): Promise<void> {
    // Everything the broker still holds, however long keeping it takes.
    await this.#pollWithin(Number.POSITIVE_INFINITY);
    await this.#publishBest(true);
    await this.#readDeadLetters();
    this.#ctx.ledger.duplicatesDiscarded += this.#brokerDuplicates;
    this.#finished = true;
    this.#ctx.ledger.redeliveries.push(...this.#tracker.redeliveries);
  }

  /** The observer belongs to the backend session, which purges (or keeps) and closes it. */
  async close(): Promise<void> {}
}

/** Which result a chunk's result is: the same one read twice is not a duplicate. */
function resultIdentity(r: Pick<ChunkResult, "worker" | "attempt" | "finishedAt">): string {
  return `${r.worker}|${r.attempt}|${r.finishedAt}`;
}

/** How many of these results, from the first, bring the parameters done up by `needed` (all of them if they fall short). */
function resultsToReach(batch: readonly ChunkResult[], needed: number): number {
  let sum = 0;
  for (const [i, r] of batch.entries()) {
    if (sum >= needed) return i;
    sum += r.aggregate.count + (r.failed?.length ?? 0);
  }
  return batch.length;
}
