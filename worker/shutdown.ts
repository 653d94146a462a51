// SIGTERM/SIGINT: stop taking work; let the chunk in hand finish within the grace period.
export type Shutdown = {
  readonly requested: boolean;
  readonly signal: NodeJS.Signals | undefined;
  /** Resolves when a stop is requested. */
  readonly whenRequested: Promise<NodeJS.Signals>;
  request(signal: NodeJS.Signals): void;
  dispose(): void;
};

export function createShutdown(onSignal?: (signal: NodeJS.Signals) => void): Shutdown {
  let signal: NodeJS.Signals | undefined;
  let resolveRequested: (s: NodeJS.Signals) => void = () => {};
  const whenRequested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  const request = (s: NodeJS.Signals) => {
    if (signal) return;
    signal = s;
    onSignal?.(s);
    resolveRequested(s);
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
    dispose() {
      for (const [s, handler] of handlers) process.off(s, handler);
    },
  };
}

export function exitCodeForSignal(signal: NodeJS.Signals | undefined): number {
  return signal === "SIGINT" ? 130 : 143;
}
