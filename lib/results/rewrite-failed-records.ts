// A finished run's results file with its failed parameters evaluated again: a failed parameter's
// record becomes a value record, or stays a failure record with the new attempts. The file is
// streamed line by line to a file beside it, then renamed over it (a run of millions of parameters
// is never held in memory, and a crash leaves the old file whole).
import { createReadStream, createWriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { AggregateBuilder, type Aggregate } from "../compute/aggregate.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import { parse as parseCsv } from "csv-parse/sync";
import { chunkLine, csvCell, type ChunkRecord, type ResultsFormat } from "./result-records.ts";

/** Each retried parameter's new outcome (a failure's attempts already count the earlier ones). */
export type RetriedParams = ReadonlyMap<number, number | ParamFailure>;

/** The worker named on a record whose value came from a retry. */
export const RETRY_WORKER = "retry-failed";

function parseChunkRow(line: string, format: ResultsFormat): ChunkRecord {
  if (format === "jsonl") return JSON.parse(line) as ChunkRecord;
  const [chunk, start, end, worker, count, sum, min, max] = line.split(",");
  const num = (s: string | undefined) => (s ? Number(s) : null);
  return { chunk: Number(chunk), start: Number(start), end: Number(end), worker: worker ?? "", count: Number(count), sum: Number(sum), min: num(min), max: num(max) };
}

/** Called with every value of a params file (kept or new), in file order. */
export type ValueSink = (param: number, value: number) => void;

/** A JSONL params record with its retried outcome; the axis keys (a sweep's point) stay in place. */
function rewriteJsonlParam(line: string, retried: RetriedParams, sink: ValueSink): string {
  const record = JSON.parse(line) as { param: number; value?: number; chunk: number; worker: string; cause?: string; error?: string; attempts?: number };
  const outcome = record.value === undefined ? retried.get(record.param) : undefined;
  if (outcome === undefined) {
    if (record.value !== undefined) sink(record.param, record.value);
    return `${line}\n`;
  }
  const { param, value: _none, chunk, worker, cause: _cause, error: _error, attempts: _attempts, ...axes } = record;
  if (typeof outcome !== "number") return `${JSON.stringify({ param, ...axes, chunk, worker, cause: outcome.cause, error: outcome.error, attempts: outcome.attempts })}\n`;
  sink(param, outcome);
  return `${JSON.stringify({ param, ...axes, value: outcome, chunk, worker: RETRY_WORKER })}\n`;
}

/** Where the CSV params header (`param,<axes...>,value,chunk,worker,cause,error`) puts each column. */
type CsvColumns = { value: number; worker: number; cause: number; error: number };

function csvColumns(header: string): CsvColumns {
  // Column names are identifiers (axis names are checked), never quoted.
  const names = header.split(",");
  const at = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`Cannot rewrite the results file: its header has no ${name} column (${header})`);
    return i;
  };
  return { value: at("value"), worker: at("worker"), cause: at("cause"), error: at("error") };
}

/** A CSV params record with its retried outcome; a quoted cell (an axis value, an error) is read as CSV. */
function rewriteCsvParam(record: string, cols: CsvColumns, retried: RetriedParams, sink: ValueSink): string {
  const cells = record.includes('"') ? (parseCsv(record, { relax_column_count: true }) as string[][])[0] ?? [] : record.split(",");
  const param = Number(cells[0]);
  const value = cells[cols.value] ?? "";
  const outcome = value === "" ? retried.get(param) : undefined;
  if (outcome === undefined) {
    if (value !== "") sink(param, Number(value));
    return `${record}\n`;
  }
  if (typeof outcome === "number") {
    sink(param, outcome);
    Object.assign(cells, { [cols.value]: String(outcome), [cols.worker]: RETRY_WORKER, [cols.cause]: "", [cols.error]: "" });
  } else {
    Object.assign(cells, { [cols.cause]: outcome.cause, [cols.error]: outcome.error });
  }
  return `${cells.map(csvCell).join(",")}\n`;
}

/** One chunk row with the new values of its parameters added. */
function rewriteChunkLine(line: string, format: ResultsFormat, retried: RetriedParams): string {
  const row = parseChunkRow(line, format);
  let changed = false;
  for (const [param, outcome] of retried) {
    if (typeof outcome !== "number" || param < row.start || param >= row.end) continue;
    changed = true;
    row.count++;
    row.sum += outcome;
    row.min = row.min === null ? outcome : Math.min(row.min, outcome);
    row.max = row.max === null ? outcome : Math.max(row.max, outcome);
  }
  return changed ? chunkLine(row, format) : `${line}\n`;
}

/**
 * Rewrites `file` in place. For a file of parameter records, the aggregate of every value in it
 * (exact: the same as a run that never failed), each value also given to `sink`; undefined for a
 * file of chunk records.
 */
export async function rewriteFailedRecords(
  file: string,
  o: { granularity: "params" | "chunks"; format: ResultsFormat },
  retried: RetriedParams,
  sink: ValueSink = () => {},
): Promise<Aggregate | undefined> {
  const agg = new AggregateBuilder();
  const offer: ValueSink = (param, value) => {
    agg.add(value);
    sink(param, value);
  };
  const temporary = `${file}.retry`;
  const out = createWriteStream(temporary);
  let columns: CsvColumns | undefined;
  const rewrite = (record: string): string => {
    if (o.granularity === "chunks") return rewriteChunkLine(record, o.format, retried);
    if (o.format === "jsonl") return rewriteJsonlParam(record, retried, offer);
    return rewriteCsvParam(record, columns as CsvColumns, retried, offer);
  };
  let first = true;
  for await (const record of records(file, o.format)) {
    const header = first && o.format === "csv";
    first = false;
    if (header && o.granularity === "params") columns = csvColumns(record);
    const text = header || record === "" ? `${record}\n` : rewrite(record);
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  await rename(temporary, file);
  return o.granularity === "params" ? agg.build() : undefined;
}

/** The file's records: its lines, except that a CSV record whose quoted cell holds a line break spans several. */
async function* records(file: string, format: ResultsFormat): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let open: string | undefined;
  for await (const line of lines) {
    if (format !== "csv") {
      yield line;
      continue;
    }
    const record = open === undefined ? line : `${open}\n${line}`;
    // Quotes come in pairs in a whole record ("" inside a quoted cell is two): an odd count is still open.
    if (quoteCount(record) % 2 === 1) open = record;
    else {
      open = undefined;
      yield record;
    }
  }
  if (open !== undefined) yield open;
}

function quoteCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n;
}
