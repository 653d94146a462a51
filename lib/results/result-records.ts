// One record per parameter (or per chunk), as JSONL or CSV lines. A parameter without a value has
// a record too, with its error instead of a value.
import type { ParamFailure } from "../compute/param-failure.ts";

export type ResultsGranularity = "params" | "chunks" | "none";
export type ResultsFormat = "jsonl" | "csv";

export type ParamRecord = { param: number; value: number; chunk: number; worker: string };
export type FailedParamRecord = { param: number; chunk: number; worker: string; cause: ParamFailure["cause"]; error: string; attempts: number };
export type ChunkRecord = {
  chunk: number;
  start: number;
  end: number;
  worker: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
};

export const csvCell = (v: string | number | null): string => {
  const s = v === null ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export const CSV_HEADERS = {
  params: "param,value,chunk,worker,cause,error",
  chunks: "chunk,start,end,worker,count,sum,min,max",
} as const;

export function paramLine(r: ParamRecord, format: ResultsFormat): string {
  return format === "jsonl"
    ? `${JSON.stringify(r)}\n`
    : `${[r.param, r.value, r.chunk, r.worker].map(csvCell).join(",")},,\n`;
}

export function failedParamLine(r: FailedParamRecord, format: ResultsFormat): string {
  return format === "jsonl"
    ? `${JSON.stringify(r)}\n`
    : `${[r.param, "", r.chunk, r.worker, r.cause, r.error].map(csvCell).join(",")}\n`;
}

export function chunkLine(r: ChunkRecord, format: ResultsFormat): string {
  return format === "jsonl"
    ? `${JSON.stringify(r)}\n`
    : `${[r.chunk, r.start, r.end, r.worker, r.count, r.sum, r.min, r.max].map(csvCell).join(",")}\n`;
}

export function paramLines(start: number, values: readonly number[], chunk: number, worker: string, format: ResultsFormat): string {
  let out = "";
  for (let i = 0; i < values.length; i++) out += paramLine({ param: start + i, value: values[i] as number, chunk, worker }, format);
  return out;
}

/**
 * The records of parameters [start, end) of a chunk with failed parameters: `values` holds the
 * values of the others, in order. Undefined when the counts disagree.
 */
export function mixedParamLines(
  range: { start: number; end: number },
  values: readonly number[],
  failed: readonly ParamFailure[],
  chunk: number,
  worker: string,
  format: ResultsFormat,
): string | undefined {
  if (values.length + failed.length !== range.end - range.start) return undefined;
  const byParam = new Map(failed.map((f) => [f.param, f]));
  let out = "";
  let next = 0;
  for (let param = range.start; param < range.end; param++) {
    const f = byParam.get(param);
    if (f) out += failedParamLine({ param, chunk, worker, cause: f.cause, error: f.error, attempts: f.attempts }, format);
    else if (next < values.length) out += paramLine({ param, value: values[next++] as number, chunk, worker }, format);
    else return undefined;
  }
  return out;
}
