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
import { chunkLine, failedParamLine, paramLine, type ChunkRecord, type ResultsFormat } from "./result-records.ts";

/** Each retried parameter's new outcome (a failure's attempts already count the earlier ones). */
export type RetriedParams = ReadonlyMap<number, number | ParamFailure>;

/** The worker named on a record whose value came from a retry. */
export const RETRY_WORKER = "retry-failed";

type ParamRow = { param: number; value: number | undefined; chunk: number; worker: string };

function parseParamRow(line: string, format: ResultsFormat): ParamRow {
  if (format === "jsonl") {
    const r = JSON.parse(line) as { param: number; value?: number; chunk: number; worker: string };
    return { param: r.param, value: r.value, chunk: r.chunk, worker: r.worker };
  }
  // param, value, chunk and worker are numbers or plain ids: never quoted, never holding a comma.
  const [param, value, chunk, worker] = line.split(",");
  return { param: Number(param), value: value ? Number(value) : undefined, chunk: Number(chunk), worker: worker ?? "" };
}

function parseChunkRow(line: string, format: ResultsFormat): ChunkRecord {
  if (format === "jsonl") return JSON.parse(line) as ChunkRecord;
  const [chunk, start, end, worker, count, sum, min, max] = line.split(",");
  const num = (s: string | undefined) => (s ? Number(s) : null);
  return { chunk: Number(chunk), start: Number(start), end: Number(end), worker: worker ?? "", count: Number(count), sum: Number(sum), min: num(min), max: num(max) };
}

/** One params-file line with its retried outcome; `agg` sees every value of the file. */
function rewriteParamLine(line: string, format: ResultsFormat, retried: RetriedParams, agg: AggregateBuilder): string {
  const row = parseParamRow(line, format);
  const outcome = row.value === undefined ? retried.get(row.param) : undefined;
  if (outcome === undefined) {
    if (row.value !== undefined) agg.add(row.value);
    return `${line}\n`;
  }
  if (typeof outcome !== "number") {
    return failedParamLine({ param: row.param, chunk: row.chunk, worker: row.worker, cause: outcome.cause, error: outcome.error, attempts: outcome.attempts }, format);
  }
  agg.add(outcome);
  return paramLine({ param: row.param, value: outcome, chunk: row.chunk, worker: RETRY_WORKER }, format);
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
 * (exact: the same as a run that never failed); undefined for a file of chunk records.
 */
export async function rewriteFailedRecords(file: string, o: { granularity: "params" | "chunks"; format: ResultsFormat }, retried: RetriedParams): Promise<Aggregate | undefined> {
  const agg = new AggregateBuilder();
  const temporary = `${file}.retry`;
  const out = createWriteStream(temporary);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  for await (const line of lines) {
    const header = first && o.format === "csv";
    first = false;
    const text = header || line === "" ? `${line}\n` : o.granularity === "params" ? rewriteParamLine(line, o.format, retried, agg) : rewriteChunkLine(line, o.format, retried);
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  await rename(temporary, file);
  return o.granularity === "params" ? agg.build() : undefined;
}
