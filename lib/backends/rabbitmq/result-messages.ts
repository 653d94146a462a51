// What workers publish to `<ns>.results`, and how the observer reads it back.
//
// - type "results": one persistent, confirmed message per completed batch, in the wire form both
//   backends share (../result-batch.ts: {"v":1,"runId","worker","takenAt","finishedAt","chunks":[tuple, ...]}).
// - type "taken" | "retry" | "released": small transient notices, {"runId","worker","at","chunkIds":[...]}
//   (plus "error" on retry), from which the observer knows what each worker holds (the monitor's in-flight column).
//   A worker sends one "taken" per batch it takes, naming every chunk of the batch.
import type { ChunkResult } from "../backend.ts";
import { decodeResultBatch, encodeResultBatch } from "../result-batch.ts";

export const RESULTS_TYPE = "results";
export type NoticeType = "taken" | "retry" | "released";
export const NOTICE_TYPES: readonly string[] = ["taken", "retry", "released"] satisfies NoticeType[];

export function encodeResults(results: readonly ChunkResult[]): Buffer {
  return Buffer.from(encodeResultBatch(results));
}

export type DecodedResults =
  | { kind: "results"; results: ChunkResult[] }
  /** Not a result batch, but readable enough to say whose: this run's is left out, another's is not touched. */
  | { kind: "malformed"; runId: string | undefined; worker: string };

/** A "results" message: its results, or why it cannot be read (parsed once: the body may be MBs). */
export function decodeResults(content: Buffer, runId: string): DecodedResults | { kind: "foreign" } {
  try {
    const results = decodeResultBatch(content.toString("utf8"));
    const first = results[0];
    return first && first.runId !== runId ? { kind: "foreign" } : { kind: "results", results };
  } catch {
    const body = parseBody(content);
    const worker = typeof body?.worker === "string" ? body.worker : "?";
    return { kind: "malformed", runId: typeof body?.runId === "string" ? body.runId : undefined, worker };
  }
}

/** The chunk ids a notice names (none when it names none properly). */
export function noticeChunkIds(body: Record<string, unknown>): number[] {
  return Array.isArray(body.chunkIds) ? (body.chunkIds as unknown[]).filter((n): n is number => Number.isSafeInteger(n) && (n as number) >= 0) : [];
}

/** The parsed JSON object of a message body; undefined when it is not one. */
export function parseBody(content: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(content.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
