// One broker reading shared by every client: a reading younger than `maxAgeMs` is handed out
// again, and while one is under way every caller waits for that one. Twenty open pages cost the
// broker what one does.
export class CachedReading<T> {
  readonly #read: () => Promise<T>;
  readonly #maxAgeMs: number;
  #last: { at: number; value: Promise<T> } | undefined;

  constructor(read: () => Promise<T>, maxAgeMs: number) {
    this.#read = read;
    this.#maxAgeMs = maxAgeMs;
  }

  get(now = Date.now()): Promise<T> {
    if (this.#last && now - this.#last.at < this.#maxAgeMs) return this.#last.value;
    const value = this.#read();
    const entry = { at: now, value };
    this.#last = entry;
    // A failed reading is not kept: the next caller tries again.
    value.catch(() => {
      if (this.#last === entry) this.#last = undefined;
    });
    return value;
  }
}
