// report.md's failed-parameters table: one row per distinct error, with the parameters it hit.
import type { ParamFailure } from "../compute/param-failure.ts";
import { formatIdRanges } from "../log/chunk-ids.ts";

export type FailureGroup = { cause: ParamFailure["cause"]; error: string; params: number[]; attempts: number };

/** The failures grouped by cause and error, the largest group first (ties: the lowest parameter). */
export function groupFailures(failed: readonly ParamFailure[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const f of failed) {
    const key = `${f.cause}\0${f.error}`;
    const group = groups.get(key) ?? { cause: f.cause, error: f.error, params: [], attempts: 0 };
    group.params.push(f.param);
    group.attempts = Math.max(group.attempts, f.attempts);
    groups.set(key, group);
  }
  for (const g of groups.values()) g.params.sort((a, b) => a - b);
  return [...groups.values()].sort((a, b) => b.params.length - a.params.length || a.params[0]! - b.params[0]!);
}

/** Rows of [error, cause, count, parameters, attempts] for report.md. */
export function failedParamRows(failed: readonly ParamFailure[], maxIds = 200): (string | number)[][] {
  return groupFailures(failed).map((g) => {
    const shown = g.params.slice(0, maxIds);
    const more = g.params.length > shown.length ? `, and ${g.params.length - shown.length} more` : "";
    return [g.error, g.cause, g.params.length, `${formatIdRanges(shown)}${more}`, g.attempts];
  });
}
