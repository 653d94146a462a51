// Follows who holds which chunk (from the workers' "took chunk" lines and from results),
// so the report can say how long a dead worker's chunk waited before another worker took it.
import type { Redelivery } from "../report/report-model.ts";

type Orphan = { fromWorker: string; diedAt: Date };

export class RedeliveryTracker {
  readonly #holder = new Map<number, string>();
  readonly #orphans = new Map<number, Orphan>();
  readonly redeliveries: Redelivery[] = [];

  took(worker: string, chunkId: number, at: Date): Redelivery | undefined {
    const orphan = this.#orphans.get(chunkId);
    this.#holder.set(chunkId, worker);
    if (!orphan || orphan.fromWorker === worker) return undefined;
    this.#orphans.delete(chunkId);
    const r: Redelivery = {
      chunkId,
      fromWorker: orphan.fromWorker,
      toWorker: worker,
      diedAt: orphan.diedAt.toISOString(),
      takenAt: at.toISOString(),
      seconds: Number(Math.max(0, (at.getTime() - orphan.diedAt.getTime()) / 1000).toFixed(3)),
    };
    this.redeliveries.push(r);
    return r;
  }

  finished(chunkId: number): void {
    this.#holder.delete(chunkId);
  }

  /** The worker died at `at`: every chunk it held is now waiting for someone else. */
  died(worker: string, at: Date): number[] {
    const held = [...this.#holder].filter(([, w]) => w === worker).map(([chunk]) => chunk);
    for (const chunk of held) {
      this.#holder.delete(chunk);
      this.#orphans.set(chunk, { fromWorker: worker, diedAt: at });
    }
    return held;
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
