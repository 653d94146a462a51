// Follows who holds which chunk (from the workers' "took chunk" lines and from results),
// so the report can say how long a dead worker's chunk waited before another worker took it.
import type { Redelivery } from "../report/report-model.ts";

type Orphan = { fromWorker: string; diedAt: Date };

export class RedeliveryTracker {
  readonly #holder = new Map<number, string>();
  /** When the current holder took each held chunk. */
  readonly #heldSince = new Map<number, Date>();
  readonly #orphans = new Map<number, Orphan>();
  /** Chunks taken from a worker not (yet) known dead: the broker can hand a chunk over before the death is reported. */
  readonly #takenOver = new Map<number, { fromWorker: string; toWorker: string; at: Date }>();
  readonly redeliveries: Redelivery[] = [];

  took(worker: string, chunkId: number, at: Date): Redelivery | undefined {
    const orphan = this.#orphans.get(chunkId);
    const previous = this.#holder.get(chunkId);
    this.#holder.set(chunkId, worker);
    if (previous !== worker) this.#heldSince.set(chunkId, at);
    if (!orphan) {
      if (previous !== undefined && previous !== worker) this.#takenOver.set(chunkId, { fromWorker: previous, toWorker: worker, at });
      return undefined;
    }
    // The same id: the dead process's own line read late, or (stamped after the death) the process started in its place.
    const again = orphan.fromWorker === worker;
    if (again && at <= orphan.diedAt) return undefined;
    this.#orphans.delete(chunkId);
    return this.#record(chunkId, orphan.fromWorker, again ? `${worker} (restarted)` : worker, orphan.diedAt, at);
  }

  #record(chunkId: number, fromWorker: string, toWorker: string, diedAt: Date, takenAt: Date): Redelivery {
    const r: Redelivery = {
      chunkId,
      fromWorker,
      toWorker,
      diedAt: diedAt.toISOString(),
      takenAt: takenAt.toISOString(),
      seconds: Number(Math.max(0, (takenAt.getTime() - diedAt.getTime()) / 1000).toFixed(3)),
    };
    this.redeliveries.push(r);
    return r;
  }

  finished(chunkId: number): void {
    this.#holder.delete(chunkId);
    this.#heldSince.delete(chunkId);
  }

  /** The chunk held longest right now, and for how many seconds. */
  longestHeld(now: Date): { worker: string; chunkId: number; seconds: number } | undefined {
    let oldest: [number, Date] | undefined;
    for (const entry of this.#heldSince) if (!oldest || entry[1] < oldest[1]) oldest = entry;
    const worker = oldest && this.#holder.get(oldest[0]);
    if (!oldest || worker === undefined) return undefined;
    return { worker, chunkId: oldest[0], seconds: Math.max(0, (now.getTime() - oldest[1].getTime()) / 1000) };
  }

  /**
   * The worker died at `at`: every chunk it held is now waiting for someone else. Returns the
   * redeliveries that had already happened (the chunk was taken before the death was reported).
   */
  died(worker: string, at: Date): Redelivery[] {
    const held = [...this.#holder].filter(([, w]) => w === worker).map(([chunk]) => chunk);
    for (const chunk of held) {
      this.#holder.delete(chunk);
      this.#heldSince.delete(chunk);
      this.#orphans.set(chunk, { fromWorker: worker, diedAt: at });
    }
    const early: Redelivery[] = [];
    for (const [chunk, t] of this.#takenOver) {
      if (t.fromWorker !== worker) continue;
      this.#takenOver.delete(chunk);
      early.push(this.#record(chunk, worker, t.toWorker, at, t.at));
    }
    return early;
  }

  holders(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const w of this.#holder.values()) counts.set(w, (counts.get(w) ?? 0) + 1);
    return counts;
  }

  /** Chunks of dead workers that nobody has taken yet. */
  waiting(): number[] {
    return [...this.#orphans.keys()];
  }
}
