// Which chunks each worker holds right now, from the workers' notices (the monitor's in-flight
// figure is counted, never a hard-coded 0). A worker holds a batch: "taken" adds the batch's chunk ids to its set (and takes
// them from whoever held them before: a dead or frozen worker); its result, a retry or a release
// removes them; a dead letter removes them from whoever holds them.
export class HeldChunks {
  readonly #byWorker = new Map<string, Set<number>>();
  readonly #holder = new Map<number, string>();

  take(worker: string, chunkIds: readonly number[]): void {
    let held = this.#byWorker.get(worker);
    if (!held) this.#byWorker.set(worker, (held = new Set()));
    for (const id of chunkIds) {
      this.#release(id);
      held.add(id);
      this.#holder.set(id, worker);
    }
  }

  /** The chunks are no longer held: by `worker` only (its own result or notice), or by anyone. */
  drop(chunkIds: readonly number[], worker?: string): void {
    for (const id of chunkIds) if (worker === undefined || this.#holder.get(id) === worker) this.#release(id);
  }

  /** The worker died: forgets what it held; returns how many chunks that was. */
  forget(worker: string): number {
    const held = this.#byWorker.get(worker);
    if (!held) return 0;
    for (const id of held) this.#holder.delete(id);
    this.#byWorker.delete(worker);
    return held.size;
  }

  /** Chunks held, by worker (workers holding nothing are left out). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [worker, held] of this.#byWorker) out[worker] = held.size;
    return out;
  }

  get total(): number {
    return this.#holder.size;
  }

  #release(id: number): void {
    const worker = this.#holder.get(id);
    if (worker === undefined) return;
    this.#holder.delete(id);
    const held = this.#byWorker.get(worker);
    held?.delete(id);
    if (held?.size === 0) this.#byWorker.delete(worker);
  }
}
