// Writes accepted results to disk as they arrive, in any order, then into one file in
// parameter order. Only an index (chunk -> where its bytes are) stays in memory, so a
// 10-million-parameter run never holds its values. The spool outlives its coordinator: a
// resumed run reopens it and restores the index from the run journal (report/run-journal.ts),
// which names each accepted chunk's bytes once they are on disk.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
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

/** Where a chunk's records are in the spool file. */
export type SpoolRange = { offset: number; length: number };

/** Parameters per piece written to the spool. */
const SLICE = 500;

type Where = SpoolRange | { file: string };

export class ResultsSpool {
  readonly granularity: Exclude<ResultsGranularity, "none">;
  readonly format: ResultsFormat;
  readonly #spoolPath: string;
  readonly #index = new Map<number, Where>();
  #handle: FileHandle | undefined;
  #bytes = 0;
  readonly missingValues: number[] = [];

  constructor(spoolPath: string, granularity: Exclude<ResultsGranularity, "none">, format: ResultsFormat) {
    this.granularity = granularity;
    this.format = format;
    this.#spoolPath = spoolPath;
  }

  async #file(): Promise<FileHandle> {
    if (!this.#handle) {
      await mkdir(dirname(this.#spoolPath), { recursive: true });
      this.#handle = await open(this.#spoolPath, "a+");
      // A spool reopened by a resumed run is cut back to the bytes its journal names.
      await this.#handle.truncate(this.#bytes);
    }
    return this.#handle;
  }

  /** Records an accepted chunk (call once per chunk id); its bytes are in the file when it returns. */
  async add(chunk: SpooledChunk): Promise<SpoolRange | undefined> {
    if (this.#index.has(chunk.chunkId)) return undefined;
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
      return undefined;
    }
    const file = await this.#file();
    const offset = this.#bytes;
    for (const piece of pieces) {
      const { bytesWritten } = await file.write(piece);
      this.#bytes += bytesWritten;
    }
    const range = { offset, length: this.#bytes - offset };
    this.#index.set(chunk.chunkId, range);
    return range;
  }

  /** Makes what was added so far survive a crash of the machine, not only of the process. */
  async sync(): Promise<void> {
    await this.#handle?.datasync();
  }

  /**
   * A chunk a previous coordinator of the run spooled (from its journal); false when its bytes are
   * not all in the file (its results are then read again from the broker).
   */
  restore(chunkId: number, range: SpoolRange | undefined, spoolBytes: number): boolean {
    if (!range) {
      this.missingValues.push(chunkId);
      return true;
    }
    if (range.offset + range.length > spoolBytes || range.offset !== this.#bytes) return false;
    this.#index.set(chunkId, range);
    this.#bytes = range.offset + range.length;
    return true;
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
    const spool = await this.#file();
    this.#handle = undefined;
    const tmp = `${path}.partial`;
    await mkdir(dirname(path), { recursive: true });
    const target = createWriteStream(tmp);
    if (this.format === "csv") target.write(`${CSV_HEADERS[this.granularity]}\n`);
    try {
      const ids = [...this.#index.keys()].sort((a, b) => a - b);
      // One buffer, reused once its bytes are written: a new one per chunk left ~22 MiB of them
      // for the garbage collector on 1,000,000 values, the coordinator's peak.
      let buffer = Buffer.alloc(0);
      for (const id of ids) {
        const where = this.#index.get(id)!;
        if ("file" in where) {
          await copyValuesFile(target, where.file, this.format);
          continue;
        }
        if (buffer.length < where.length) buffer = Buffer.allocUnsafe(where.length);
        const bytes = buffer.subarray(0, where.length);
        await spool.read(bytes, 0, where.length, where.offset);
        await new Promise<void>((resolve, reject) => target.write(bytes, (error) => (error ? reject(error) : resolve())));
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

  /** Closes the spool and keeps it (an interrupted run: its resume reopens it). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
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
