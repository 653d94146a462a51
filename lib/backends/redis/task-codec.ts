// Stream entries <-> chunk tasks. A malformed entry decodes to undefined, never throws.
import type { ChunkTask } from "../backend.ts";

export function fieldsToRecord(fields: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record;
}

const INTEGER = /^\d{1,16}$/;

export function decodeTask(fields: Record<string, string>): ChunkTask | undefined {
  return decodeTaskValues(fields.run_id, fields.chunk_id, fields.start, fields.end);
}

/** A task from its four field values; undefined unless each is there and the numbers are whole. */
export function decodeTaskValues(runId?: string, chunkId?: string, start?: string, end?: string): ChunkTask | undefined {
  if (!runId || !chunkId || !start || !end) return undefined;
  if (!INTEGER.test(chunkId) || !INTEGER.test(start) || !INTEGER.test(end)) return undefined;
  const task = { runId, chunkId: Number(chunkId), start: Number(start), end: Number(end) };
  return task.end > task.start ? task : undefined;
}

export function describeRaw(fields: Record<string, string>): string {
  return JSON.stringify(fields).slice(0, 500);
}
