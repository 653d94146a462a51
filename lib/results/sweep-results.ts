// A pass over the finished per-parameter results file, streamed: adds a column per sweep axis
// (the point of each parameter, computed from its id) and collects the value pictures' data. The
// best points come from the chunks' own bests (the run ledger), in every results mode.
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { rename } from "node:fs/promises";
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

/** How often at most the pass says how far it is. */
const PROGRESS_EVERY_MS = 2000;

/**
 * The file's complete lines, a read block at a time (readline's line events took 4 of a
 * 10,000,000-line pass's 6 s of reading). Blocks of 32 KiB: on 1,000,000 lines the heap grew by
 * 5 MiB during the pass, against 13 at 64 KiB, 46 at 1 MiB and 29 with readline.
 */
async function* lineBlocks(path: string): AsyncGenerator<string[]> {
  let rest = "";
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 15 })) {
    const text = rest + (chunk as string);
    const end = text.lastIndexOf("\n");
    if (end < 0) {
      rest = text;
      continue;
    }
    rest = text.slice(end + 1);
    yield text.slice(0, end).split("\n");
  }
  if (rest) yield [rest];
}

/**
 * Rewrites `path` with the axis columns (when a sweep is given; without one the file stays as it
 * is and is only read) and returns the value summary; range: the run's aggregate min and max (the
 * histogram's bounds). onProgress hears the lines read so far, every few seconds.
 */
export async function finishParamResults(path: string, format: ResultsFormat, space: SweepSpace | undefined, range: { min: number; max: number }, onProgress?: (lines: number) => void): Promise<ParamResultsSummary> {
  const tracker = paramSummary(space, range);
  const tmp = `${path}.axes`;
  const target = space ? createWriteStream(tmp) : undefined;
  let first = true;
  let lines = 0;
  let said = performance.now();
  for await (const block of lineBlocks(path)) {
    let out = "";
    for (const line of block) {
      if (!line) continue;
      const rewritten = format === "csv" ? csvLine(line, first, space, tracker) : jsonlLine(line, space, tracker);
      first = false;
      if (target) out += `${rewritten}\n`;
    }
    if (target && !target.write(out)) await once(target, "drain");
    lines += block.length;
    if (onProgress && performance.now() - said >= PROGRESS_EVERY_MS) {
      said = performance.now();
      onProgress(lines);
    }
  }
  if (target) {
    target.end();
    await once(target, "close");
    await rename(tmp, path);
  }
  return tracker.summary();
}

const PARAM_KEY = '{"param":';
const VALUE_KEY = ',"value":';

/**
 * A value's line as paramLine writes it, `{"param":<id>,"value":<number>,...`, read without
 * JSON.parse (which took half of a 10,000,000-line pass): its id, its value, and where the part
 * from `,"value":` on starts. Undefined for any other line (a failed parameter's has no value).
 */
function valueLine(line: string): { param: number; value: number; at: number } | undefined {
  if (!line.startsWith(PARAM_KEY)) return undefined;
  const at = line.indexOf(",", PARAM_KEY.length);
  if (at < 0 || !line.startsWith(VALUE_KEY, at)) return undefined;
  const from = at + VALUE_KEY.length;
  let to = line.indexOf(",", from);
  if (to < 0) to = line.indexOf("}", from);
  const param = Number(line.slice(PARAM_KEY.length, at));
  const value = to > from ? Number(line.slice(from, to)) : Number.NaN;
  if (to < 0 || !Number.isSafeInteger(param) || !Number.isFinite(value)) return undefined;
  return { param, value, at };
}

function jsonlLine(line: string, space: SweepSpace | undefined, tracker: Sink): string {
  const fast = valueLine(line);
  if (fast) {
    tracker.offer(fast.param, fast.value);
    if (!space) return line;
    // {"param":<id> + the point's fields + ,"value":... as written: what JSON.stringify below gives
    // (an axis cannot take a results column's name, RESERVED_AXIS_NAMES).
    const point = JSON.stringify(space.pointOf(fast.param)).slice(1, -1);
    return point ? `${line.slice(0, fast.at)},${point}${line.slice(fast.at)}` : line;
  }
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
