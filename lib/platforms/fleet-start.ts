// Starting a run's workers in the background. The local platform lets a few start at a time
// (start-gate.ts), so 64 workers on 2 cores take seconds to start: meanwhile the coordinator reads
// results and shows progress, and a run that is over before every worker is up starts no more
// (those still waiting for their turn would only start, find the run over and leave).
import type { Platform, WorkerSpec } from "./platform.ts";

/**
 * Starts `count` workers with ids "0".."count-1": the first at once (a start that cannot happen
 * fails here, before any work), the others in the background (FleetStart).
 */
export async function startFleet(platform: Platform, count: number, envFor: (id: string) => WorkerSpec["env"], enough: () => boolean): Promise<FleetStart> {
  await platform.startWorker({ id: "0", env: envFor("0") });
  const others = Array.from({ length: count - 1 }, (_, i) => String(i + 1));
  return new FleetStart(platform, others, envFor, enough);
}

export class FleetStart {
  readonly #platform: Platform;
  readonly #ids: readonly string[];
  readonly #enough: () => boolean;
  #stopped = false;
  #finished = false;
  /** Ids of the workers started, in order. */
  readonly started: string[] = [];
  /** How many of its workers were never started (the run was over, or stopping, before their turn). */
  get notStarted(): number {
    return this.#ids.length - this.started.length;
  }
  /** Why a start failed (the starting stops there); undefined while none has. */
  error: Error | undefined;
  readonly done: Promise<void>;

  /**
   * Starts the workers `ids` one after another, each with the environment `envFor` gives when its
   * turn comes; stops once `enough()` is true (asked before each start) or stop() is called.
   */
  constructor(platform: Platform, ids: readonly string[], envFor: (id: string) => WorkerSpec["env"], enough: () => boolean = () => false) {
    this.#platform = platform;
    this.#ids = ids;
    this.#enough = enough;
    this.done = this.#run(ids, envFor);
  }

  /** Every start has happened, been dropped or failed. */
  get finished(): boolean {
    return this.#finished;
  }

  async #run(ids: readonly string[], envFor: (id: string) => WorkerSpec["env"]): Promise<void> {
    try {
      for (const id of ids) {
        if (this.#stopped || this.#enough()) return;
        if (await this.#platform.startWorker({ id, env: envFor(id) })) this.started.push(id);
      }
    } catch (error) {
      this.error = error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#finished = true;
    }
  }

  /** Starts no more workers, drops a start waiting for its turn; resolves once none is under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    // Again until done: a start between its checks and its wait for a turn is not waiting yet.
    while (!this.#finished) {
      this.#platform.cancelPendingStarts();
      await Promise.race([this.done, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }
}
