// SIGTERM/SIGINT: stop taking work; let the chunk in hand finish within the grace period.
export type Shutdown = {
  readonly requested: boolean;
  readonly signal: NodeJS.Signals | undefined;
  /** Resolves when a stop is requested. */
  readonly whenRequested: Promise<NodeJS.Signals>;
  request(signal: NodeJS.Signals): void;
  /** Calls `listener` once when a stop is requested (at once if it already was); returns an unsubscribe. */
  onRequest(listener: (signal: NodeJS.Signals) => void): () => void;
  dispose(): void;
};

export function createShutdown(onSignal?: (signal: NodeJS.Signals) => void): Shutdown {
  let signal: NodeJS.Signals | undefined;
  let resolveRequested: (s: NodeJS.Signals) => void = () => {};
  const whenRequested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  // Per-chunk listeners live in a set, not as handlers on the pending promise, so they go away.
  const listeners = new Set<(s: NodeJS.Signals) => void>();
  const request = (s: NodeJS.Signals) => {
    if (signal) return;
    signal = s;
    onSignal?.(s);
    resolveRequested(s);
    for (const listener of listeners) listener(s);
    listeners.clear();
  };
  const handlers = (["SIGTERM", "SIGINT"] as const).map((s) => {
    const handler = () => request(s);
    process.on(s, handler);
    return [s, handler] as const;
  });
  return {
    get requested() {
      return signal !== undefined;
    },
    get signal() {
      return signal;
    },
    whenRequested,
    request,
    onRequest(listener) {
      if (signal) {
        listener(signal);
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      for (const [s, handler] of handlers) process.off(s, handler);
    },
  };
}

export function exitCodeForSignal(signal: NodeJS.Signals | undefined): number {
  return signal === "SIGINT" ? 130 : 143;
}

/** Waits `ms`, or less if a stop is requested meanwhile (leaves no handler behind). */
export function pauseUnlessStopped(shutdown: Shutdown, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const unsubscribe = shutdown.onRequest(done);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}
