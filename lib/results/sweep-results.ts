// A pass over the finished per-parameter results file, streamed: adds a column per sweep axis
// (the point of each parameter, computed from its id) and collects the value pictures' data. The
// best points come from the chunks' own bests (the run ledger), in every results mode.
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { rename } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { SweepSpace } from "../sweep-def/sweep-space.ts";
import type { ResultsFormat } from "./result-records.ts";
import { ValueSummaryBuilder, type ValueSummary } from "./value-summary.ts";

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** What the pass found: the value pictures' data. */
export type ParamResultsSummary = { values: ValueSummary };

/** Where each parameter's value goes. */
type Sink = { offer: (id: number, value: number) => void };

/**
 * The value pictures' data of values offered one by one (a pass over a results file); range: the
 * min and max of every value to come (the histogram's bounds).
 */
export function paramSummary(space: SweepSpace | undefined, range: { min: number; max: number }): Sink & { summary: () => ParamResultsSummary } {
  const values = new ValueSummaryBuilder(range, space);
  return {
    offer: (id, value) => {
      values.add(id, value);
    },
    summary: () => ({ values: values.summary }),
  };
}

/**
 * Rewrites `path` with the axis columns (when a sweep is given) and returns the value summary; range: the run's aggregate min and max (the histogram's bounds).
 */
export async function finishParamResults(path: string, format: ResultsFormat, space: SweepSpace | undefined, range: { min: number; max: number }): Promise<ParamResultsSummary> {
  const tracker = paramSummary(space, range);
  const tmp = `${path}.axes`;
  const target = createWriteStream(tmp);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  for await (const line of lines) {
    if (!line) continue;
    const out = format === "csv" ? csvLine(line, first, space, tracker) : jsonlLine(line, space, tracker);
    first = false;
    if (!target.write(`${out}\n`)) await once(target, "drain");
  }
  target.end();
  await once(target, "close");
  await rename(tmp, path);
  return tracker.summary();
}

function jsonlLine(line: string, space: SweepSpace | undefined, tracker: Sink): string {
  const record = JSON.parse(line) as { param: number; value?: number };
  if (typeof record.value === "number") tracker.offer(record.param, record.value);
  if (!space) return line;
  const { param, ...rest } = record;
  return JSON.stringify({ param, ...space.pointOf(param), ...rest });
}

/** CSV: `param,<axes...>,value,...`; the first cell is the parameter id, a plain integer. */
function csvLine(line: string, header: boolean, space: SweepSpace | undefined, tracker: Sink): string {
  const comma = line.indexOf(",");
  const head = line.slice(0, comma);
  const rest = line.slice(comma + 1);
  if (header) return space ? [head, ...space.names, rest].join(",") : line;
  const param = Number(head);
  const valueCell = rest.slice(0, rest.indexOf(","));
  if (valueCell !== "") tracker.offer(param, Number(valueCell));
  if (!space) return line;
  const point = space.pointOf(param);
  return [head, ...space.names.map((n) => csvCell(point[n] as number | string)), rest].join(",");
}
