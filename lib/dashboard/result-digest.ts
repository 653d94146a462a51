// What a run's accepted results say, folded in as they are read (Redis keeps its results stream, so
// a restarted dashboard reads it again from the start and gets the same digest): chunks and
// parameters per worker with the time of each worker's last result, progress over time in
// one-second steps, and the best values so far.
import type { ChunkResult } from "../backends/backend.ts";

export type WorkerTally = { chunks: number; params: number; lastResultAt: string };
export type ProgressPoint = { at: number; chunks: number; params: number };
/** A best value: from the results read here (its chunk and worker), or as the coordinator published it (its id and point, as "x=0.5 y=1" or "id 12"). */
export type Extreme = { value: number; chunkId: number; worker: string; id?: number; where?: string };
export type Best = { min: Extreme | null; max: Extreme | null };

/** Progress points kept; older ones are thinned (every other one) when the run is long. */
const MAX_POINTS = 600;

export class ResultDigest {
  readonly workers = new Map<string, WorkerTally>();
  readonly points: ProgressPoint[] = [];
  readonly best: Best = { min: null, max: null };
  duplicates = 0;
  #accepted = new Set<number>();
  #params = 0;

  get chunks(): number {
    return this.#accepted.size;
  }

  add(results: readonly ChunkResult[]): void {
    for (const r of results) {
      if (this.#accepted.has(r.chunkId)) {
        this.duplicates++;
        continue;
      }
      this.#accepted.add(r.chunkId);
      const params = r.end - r.start;
      this.#params += params;
      const tally = this.workers.get(r.worker) ?? { chunks: 0, params: 0, lastResultAt: r.finishedAt };
      tally.chunks++;
      tally.params += params;
      if (r.finishedAt > tally.lastResultAt) tally.lastResultAt = r.finishedAt;
      this.workers.set(r.worker, tally);
      this.#note(r);
      this.#point(Date.parse(r.finishedAt));
    }
  }

  #note(r: ChunkResult): void {
    const { min, max } = r.aggregate;
    if (min !== null && (this.best.min === null || min < this.best.min.value)) this.best.min = { value: min, chunkId: r.chunkId, worker: r.worker };
    if (max !== null && (this.best.max === null || max > this.best.max.value)) this.best.max = { value: max, chunkId: r.chunkId, worker: r.worker };
  }

  /** One point per second: a result in the same second as the last point moves that point. */
  #point(at: number): void {
    if (!Number.isFinite(at)) return;
    const second = Math.floor(at / 1000) * 1000;
    const last = this.points.at(-1);
    if (last && last.at >= second) {
      last.chunks = this.chunks;
      last.params = this.#params;
      return;
    }
    this.points.push({ at: second, chunks: this.chunks, params: this.#params });
    if (this.points.length > MAX_POINTS) thin(this.points);
  }
}

/** Halves the points, keeping the first and the last. */
function thin(points: ProgressPoint[]): void {
  const kept = points.filter((_, i) => i % 2 === 0 || i === points.length - 1);
  points.splice(0, points.length, ...kept);
}
