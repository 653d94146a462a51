// One record per parameter (or per chunk), as JSONL or CSV lines.
export type ResultsGranularity = "params" | "chunks" | "none";
export type ResultsFormat = "jsonl" | "csv";

export type ParamRecord = { param: number; value: number; chunk: number; worker: string };
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

const csvCell = (v: string | number | null) => {
  const s = v === null ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export const CSV_HEADERS = {
  params: "param,value,chunk,worker",
  chunks: "chunk,start,end,worker,count,sum,min,max",
} as const;

export function paramLine(r: ParamRecord, format: ResultsFormat): string {
  return format === "jsonl"
    ? `${JSON.stringify(r)}\n`
    : `${[r.param, r.value, r.chunk, r.worker].map(csvCell).join(",")}\n`;
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
