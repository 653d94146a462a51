// A parameter without a value, and why: its evaluation threw (after its in-place retries), ran past
// PARAM_TIMEOUT_SECONDS, or killed the thread or process evaluating it (docs/own-algorithm.md: when a parameter fails).
export type FailureCause = "error" | "timeout" | "crash";

export type ParamFailure = { param: number; cause: FailureCause; error: string; attempts: number };

export const FAILURE_CAUSES: readonly FailureCause[] = ["error", "timeout", "crash"];

export function isParamFailure(x: unknown): x is ParamFailure {
  const f = x as Partial<ParamFailure> | null;
  return (
    typeof f === "object" && f !== null && Number.isSafeInteger(f.param) && FAILURE_CAUSES.includes(f.cause as FailureCause) &&
    typeof f.error === "string" && Number.isSafeInteger(f.attempts)
  );
}

/** What a timed-out evaluation is recorded with. */
export function timedOut(param: number, limitMs: number): ParamFailure {
  return { param, cause: "timeout", error: `timed out after ${limitMs / 1000} s (PARAM_TIMEOUT_SECONDS)`, attempts: 1 };
}

/** What an evaluation that ended its thread or process is recorded with. */
export function crashed(param: number, how: string): ParamFailure {
  return { param, cause: "crash", error: how, attempts: 1 };
}

/** How a process ended, as words: "was killed by SIGKILL" or "exited with code 3". */
export function describeEnd(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
