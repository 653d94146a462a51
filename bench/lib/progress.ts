// Progress lines on stderr: each phase says what it is doing, with seconds since the bench began.
const began = performance.now();

export type Say = (line: string) => void;

export function stderrSay(prefix = "bench"): Say {
  return (line) => {
    const t = ((performance.now() - began) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${prefix} ${t}s] ${line}\n`);
  };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitUntil<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`Cannot finish the measurement: no ${what} within ${timeoutMs} ms`);
    await pause(everyMs);
  }
}
