// Waiting for the broker to push something: wait(ms) resolves at the next wake() or after ms,
// whichever comes first. Consumers call wake() from their message callbacks.
export class ArrivalSignal {
  readonly #waiters = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  wake(): void {
    // Called for every message a consumer receives, mostly with nobody waiting.
    if (this.#waiters.size === 0) return;
    for (const done of [...this.#waiters]) done();
  }
}
