// Stream entries <-> chunk tasks. A malformed entry decodes to undefined, never throws.
import type { ChunkTask } from "../backend.ts";

export function fieldsToRecord(fields: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record;
}

const INTEGER = /^\d{1,16}$/;

export function decodeTask(fields: Record<string, string>): ChunkTask | undefined {
  const { run_id: runId, chunk_id: chunkId, start, end } = fields;
  if (!runId || !chunkId || !start || !end) return undefined;
  if (![chunkId, start, end].every((v) => INTEGER.test(v))) return undefined;
  const task = { runId, chunkId: Number(chunkId), start: Number(start), end: Number(end) };
  return task.end > task.start ? task : undefined;
}

export function describeRaw(fields: Record<string, string>): string {
  return JSON.stringify(fields).slice(0, 500);
}
