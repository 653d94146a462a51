// Writes accepted results to disk as they arrive, in any order, then into one file in
// parameter order. Only an index (chunk -> where its bytes are) stays in memory, so a
// 10-million-parameter run never holds its values.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { createInterface } from "node:readline";
import {
  CSV_HEADERS,
  chunkLine,
  paramLine,
  mixedParamLines,
  paramLines,
  type ParamRecord,
  type ResultsFormat,
  type ResultsGranularity,
} from "./result-records.ts";
import type { Aggregate } from "../compute/aggregate.ts";
import type { ParamFailure } from "../compute/param-failure.ts";

export type SpooledChunk = {
  chunkId: number;
  start: number;
  end: number;
  worker: string;
  aggregate: Aggregate;
  values?: readonly number[];
  /** Parameters without a value: a record each, with its error. */
  failed?: readonly ParamFailure[];
};

/** Parameters per piece written to the spool. */
const SLICE = 500;

type Where = { offset: number; length: number } | { file: string };

export class ResultsSpool {
  readonly granularity: Exclude<ResultsGranularity, "none">;
  readonly format: ResultsFormat;
  readonly #spoolPath: string;
  readonly #index = new Map<number, Where>();
  #out: WriteStream | undefined;
  #bytes = 0;
  readonly missingValues: number[] = [];

  constructor(dir: string, granularity: Exclude<ResultsGranularity, "none">, format: ResultsFormat) {
    this.granularity = granularity;
    this.format = format;
    this.#spoolPath = join(dir, `.results-${process.pid}.spool`);
  }

  async #stream(): Promise<WriteStream> {
    if (!this.#out) {
      await mkdir(dirname(this.#spoolPath), { recursive: true });
      this.#out = createWriteStream(this.#spoolPath, { flags: "w" });
    }
    return this.#out;
  }

  /** Records an accepted chunk (call once per chunk id). */
  async add(chunk: SpooledChunk): Promise<void> {
    if (this.#index.has(chunk.chunkId)) return;
    const pieces: string[] = [];
    if (this.granularity === "chunks") {
      const { count, sum, min, max } = chunk.aggregate;
      pieces.push(chunkLine({ chunk: chunk.chunkId, start: chunk.start, end: chunk.end, worker: chunk.worker, count, sum, min, max }, this.format));
    } else if (chunk.failed?.length) {
      const lines = mixedParamLines(chunk, chunk.values ?? [], chunk.failed, chunk.chunkId, chunk.worker, this.format);
      if (lines === undefined) {
        this.missingValues.push(chunk.chunkId);
        return;
      }
      pieces.push(lines);
    } else if (chunk.values && chunk.values.length === chunk.end - chunk.start) {
      // Small pieces: a chunk of 10,000 values never becomes one large string to collect later.
      for (let i = 0; i < chunk.values.length; i += SLICE) {
        pieces.push(paramLines(chunk.start + i, chunk.values.slice(i, i + SLICE), chunk.chunkId, chunk.worker, this.format));
      }
    } else {
      this.missingValues.push(chunk.chunkId);
      return;
    }
    const out = await this.#stream();
    const offset = this.#bytes;
    for (const piece of pieces) {
      this.#bytes += Buffer.byteLength(piece);
      if (!out.write(piece)) await once(out, "drain");
    }
    this.#index.set(chunk.chunkId, { offset, length: this.#bytes - offset });
  }

  /** A static slice whose worker wrote its own JSONL values file. */
  addFile(chunkId: number, file: string): void {
    if (!this.#index.has(chunkId)) this.#index.set(chunkId, { file });
  }

  get chunks(): number {
    return this.#index.size;
  }

  /** Writes the final file in chunk (= parameter) order and removes the spool. */
  async finish(path: string): Promise<{ path: string; chunks: number }> {
    const out = await this.#stream();
    out.end();
    await once(out, "close");
    const tmp = `${path}.partial`;
    await mkdir(dirname(path), { recursive: true });
    const target = createWriteStream(tmp);
    if (this.format === "csv") target.write(`${CSV_HEADERS[this.granularity]}\n`);
    const spool = await open(this.#spoolPath, "r");
    try {
      const ids = [...this.#index.keys()].sort((a, b) => a - b);
      for (const id of ids) {
        const where = this.#index.get(id)!;
        if ("file" in where) {
          await copyValuesFile(target, where.file, this.format);
          continue;
        }
        const buffer = Buffer.allocUnsafe(where.length);
        await spool.read(buffer, 0, where.length, where.offset);
        if (!target.write(buffer)) await once(target, "drain");
      }
    } finally {
      await spool.close();
    }
    target.end();
    await once(target, "close");
    await rename(tmp, path);
    await rm(this.#spoolPath, { force: true });
    return { path, chunks: this.#index.size };
  }

  async discard(): Promise<void> {
    this.#out?.destroy();
    await rm(this.#spoolPath, { force: true });
  }
}

/** Copies a worker's JSONL values file, converting each line when CSV is wanted. */
async function copyValuesFile(target: WriteStream, source: string, format: ResultsFormat): Promise<void> {
  if (format === "jsonl") {
    for await (const chunk of createReadStream(source)) if (!target.write(chunk)) await once(target, "drain");
    return;
  }
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line && !target.write(paramLine(JSON.parse(line) as ParamRecord, "csv"))) await once(target, "drain");
  }
}
