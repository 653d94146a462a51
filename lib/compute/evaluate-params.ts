// Single parameters evaluated again, each in the crash sandbox: a parameter that throws is retried
// in place, one that runs past the time limit or kills its process is recorded, and the caller
// (a coordinator) survives all three.
import { ComputeSandbox } from "./compute-sandbox.ts";
import type { EngineOptions, Range } from "./compute-engine.ts";
import type { ParamFailure } from "./param-failure.ts";

/** Consecutive parameters as ranges: [3, 4, 5, 9] -> [3, 6), [9, 10). */
export function rangesOf(params: readonly number[]): Range[] {
  const ranges: Range[] = [];
  for (const param of [...params].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last.end === param) last.end++;
    else if (!last || last.end < param) ranges.push({ start: param, end: param + 1 });
  }
  return ranges;
}

/** Each parameter's value, or its failure record. */
export async function evaluateParams(params: readonly number[], options: EngineOptions): Promise<Map<number, number | ParamFailure>> {
  const ranges = rangesOf(params);
  const outcomes = await new ComputeSandbox(options).runMany(ranges, { collectValues: true });
  const byParam = new Map<number, number | ParamFailure>();
  ranges.forEach((range, i) => {
    const outcome = outcomes[i]!;
    const failed = new Map((outcome.failed ?? []).map((f) => [f.param, f]));
    let next = 0;
    for (let param = range.start; param < range.end; param++) {
      byParam.set(param, failed.get(param) ?? outcome.values![next++]!);
    }
  });
  return byParam;
}
