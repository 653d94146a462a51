// What a coordinator learns during a run; turned into a RunReport at the end.
// Accepted chunks are kept as ranges, merged aggregates and the run's best points (from each
// chunk's own best), never per-parameter values.
import { AggregateBuilder, type Aggregate } from "../compute/aggregate.ts";
import type { ChunkBest } from "../compute/chunk-best.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import { BestTracker, type BestPoints, type BestSoFar } from "../results/best-points.ts";
import type { Point } from "../sweep-def/sweep-space.ts";
import type { DeadLetter, Fault, ProgressSample, Redelivery, TimelineEvent, WorkerRow } from "./report-model.ts";
import type { RunJournal } from "./run-journal.ts";

export type AcceptedChunk = { chunkId: number; start: number; end: number; worker: string; aggregate: Aggregate; best?: ChunkBest; failed?: readonly ParamFailure[] };

/** A resumed run: parameters whose results were computed before and after its latest resume. */
export type ResumeTally = { resumedAt: Date; interruptions: number; paramsBefore: number; paramsAfter: number };

export class RunLedger {
  readonly expectedChunks: number;
  /** Where notes and faults are also written as they happen, when the run can be resumed. */
  journal: RunJournal | undefined;
  /** Set when this coordinator resumed an interrupted run. */
  resume: ResumeTally | undefined;
  readonly #accepted = new Map<number, { start: number; end: number }>();
  readonly aggregate = new AggregateBuilder();
  /** The k lowest and highest values of the accepted chunks (a duplicate never adds to it). */
  readonly best = new BestTracker();
  /** A parameter id's point in the run's sweep (none without a sweep). */
  readonly pointOf: ((id: number) => Point) | undefined;
  readonly perWorker = new Map<string, WorkerRow>();
  readonly deadLetters: DeadLetter[] = [];
  /** Parameters of accepted chunks that have no value (each with a failure record instead). */
  readonly failedParams: ParamFailure[] = [];
  readonly faults: Fault[] = [];
  readonly redeliveries: Redelivery[] = [];
  readonly timeline: TimelineEvent[] = [];
  readonly progress: ProgressSample[] = [];
  duplicatesDiscarded = 0;
  /** The duplicates the coordinator itself saw (the first 1,000), with who sent them. */
  readonly duplicateChunks: { chunkId: number; start: number; end: number; worker: string }[] = [];
  redelivered = 0;
  /**
   * Problems beyond the counts: chunks that arrived for ids outside [0, expected) or with a range
   * that disagrees with the plan, and why a run stopped before it settled (a stall's diagnosis).
   */
  readonly anomalies: string[] = [];

  constructor(expectedChunks: number, o: { pointOf?: (id: number) => Point } = {}) {
    this.expectedChunks = expectedChunks;
    this.pointOf = o.pointOf;
  }

  /** The best points so far, with their points in the sweep. */
  bestPoints(): BestPoints {
    return this.best.points(this.pointOf);
  }

  /** The lowest and highest value so far with their points (what the live views show). */
  bestSoFar(): BestSoFar | undefined {
    return this.best.top(this.pointOf);
  }

  /**
   * Records a result; returns false (and counts a duplicate) if the chunk was already accepted.
   * finishedAt (when its worker finished it) tells a resumed run which side of the resume it is on.
   */
  accept(chunk: AcceptedChunk, busySeconds = 0, finishedAt?: string): boolean {
    if (this.#accepted.has(chunk.chunkId)) {
      this.duplicatesDiscarded++;
      if (this.duplicateChunks.length < 1000) {
        this.duplicateChunks.push({ chunkId: chunk.chunkId, start: chunk.start, end: chunk.end, worker: chunk.worker });
      }
      return false;
    }
    if (chunk.chunkId < 0 || chunk.chunkId >= this.expectedChunks) {
      this.anomalies.push(`chunk ${chunk.chunkId} is outside the plan (0..${this.expectedChunks - 1})`);
    }
    this.#accepted.set(chunk.chunkId, { start: chunk.start, end: chunk.end });
    this.aggregate.merge(chunk.aggregate);
    if (chunk.best) this.best.offerChunk(chunk.best);
    if (chunk.failed) for (const f of chunk.failed) this.failedParams.push(f);
    const row = this.worker(chunk.worker);
    row.chunks++;
    row.params += chunk.end - chunk.start;
    row.busySeconds += busySeconds;
    if (this.resume) {
      const after = finishedAt !== undefined && Date.parse(finishedAt) >= this.resume.resumedAt.getTime();
      this.resume[after ? "paramsAfter" : "paramsBefore"] += chunk.end - chunk.start;
    }
    return true;
  }

  worker(id: string): WorkerRow {
    let row = this.perWorker.get(id);
    if (!row) {
      row = { worker: id, chunks: 0, params: 0, busySeconds: 0, exit: "running" };
      this.perWorker.set(id, row);
    }
    return row;
  }

  /** Records the node a worker ran on; a worker restarted on another node lists both. */
  workerNode(id: string, node: string): void {
    if (node === "") return;
    const row = this.worker(id);
    const nodes = row.node ? row.node.split(", ") : [];
    if (!nodes.includes(node)) row.node = [...nodes, node].join(", ");
  }

  get acceptedCount(): number {
    return this.#accepted.size;
  }

  has(chunkId: number): boolean {
    return this.#accepted.has(chunkId);
  }

  /** Distinct parameters with an accepted value: accepted chunks' ranges (overlaps counted once) less their failed parameters. */
  coveredParams(): number {
    return this.acceptedParams() - this.failedParams.length;
  }

  /** Distinct parameters of accepted chunks, with or without a value. */
  acceptedParams(): number {
    const ranges = [...this.#accepted.values()].sort((a, b) => a.start - b.start);
    let covered = 0;
    let reach = Number.NEGATIVE_INFINITY;
    for (const r of ranges) {
      const from = Math.max(r.start, reach);
      if (r.end > from) covered += r.end - from;
      reach = Math.max(reach, r.end);
    }
    return covered;
  }

  missingChunkIds(limit = 20): number[] {
    const missing: number[] = [];
    for (let id = 0; id < this.expectedChunks && missing.length < limit; id++) {
      if (!this.#accepted.has(id)) missing.push(id);
    }
    return missing;
  }

  note(event: TimelineEvent["event"], detail: string, at = new Date()): void {
    const entry = { at: at.toISOString(), event, detail };
    this.timeline.push(entry);
    this.journal?.append([{ k: "event", event: entry }]);
  }

  fault(fault: Fault): void {
    this.faults.push(fault);
    this.journal?.append([{ k: "fault", fault }]);
  }
}
