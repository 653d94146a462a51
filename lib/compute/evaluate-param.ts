// One parameter's evaluation with its in-place retries (PARAM_RETRIES): the compute thread and the
// crash sandbox evaluate the same way.
import type { ComputeFunction } from "./compute-function.ts";
import type { ParamFailure } from "./param-failure.ts";

export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 1000) || (error instanceof Error ? error.name : "error");
}

/** The value, or throws when it is not a finite number. */
export function checkValue(param: number, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`compute(${param}) returned ${String(value)}, not a finite number`);
  }
  return value;
}

/** After a first attempt threw `firstError`: up to `retries` more attempts, then the failure record. */
export async function retryParam(compute: ComputeFunction, param: number, firstError: unknown, retries: number): Promise<number | ParamFailure> {
  let error = firstError;
  for (let attempt = 2; attempt <= retries + 1; attempt++) {
    try {
      const r = compute(param);
      return checkValue(param, typeof r === "number" ? r : await r);
    } catch (e) {
      error = e;
    }
  }
  // An error that says it ended the evaluating process (CommandEnded) is a crash, not an error.
  const cause = (error as { paramCause?: unknown } | null)?.paramCause === "crash" ? "crash" : "error";
  return { param, cause, error: messageOf(error), attempts: retries + 1 };
}

/** The parameter's value, or its failure record once every attempt threw. */
export async function evaluateParam(compute: ComputeFunction, param: number, retries: number): Promise<number | ParamFailure> {
  try {
    const r = compute(param);
    return checkValue(param, typeof r === "number" ? r : await r);
  } catch (error) {
    return retryParam(compute, param, error, retries);
  }
}
