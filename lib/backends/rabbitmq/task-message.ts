// Chunk tasks <-> AMQP messages. The attempt number travels in a header we set ourselves: classic
// queues only say `redelivered`, not how often. A malformed message decodes to task undefined.
import type { ConsumeMessage } from "amqplib";
import type { ChunkTask } from "../backend.ts";

/** Attempt number of the next delivery of this message (1 when absent: a fresh chunk). */
export const ATTEMPT_HEADER = "x-ttg-attempt";
/** The error of the previous failed attempt, carried to the dead letter if the chunk dies without another one. */
export const LAST_ERROR_HEADER = "x-ttg-last-error";

export function encodeTask(task: ChunkTask): Buffer {
  return Buffer.from(JSON.stringify({ run_id: task.runId, chunk_id: task.chunkId, start: task.start, end: task.end }));
}

/** Parses a chunk of any run; undefined when the body is not a well-formed chunk. */
export function decodeAnyTask(body: string): ChunkTask | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { run_id: runId, chunk_id: chunkId, start, end } = value as Record<string, unknown>;
  if (typeof runId !== "string" || runId === "") return undefined;
  if (![chunkId, start, end].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
  const task = { runId, chunkId: chunkId as number, start: start as number, end: end as number };
  return task.end > task.start ? task : undefined;
}

function headerAttempt(msg: ConsumeMessage): number {
  const value = Number(msg.properties.headers?.[ATTEMPT_HEADER]);
  return Number.isSafeInteger(value) && value >= 1 ? value : 1;
}

export function headerLastError(msg: ConsumeMessage): string | undefined {
  const value: unknown = msg.properties.headers?.[LAST_ERROR_HEADER];
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return undefined;
}

/**
 * The attempt this delivery is. A broker redelivery (its worker died, froze past the heartbeat, or
 * its connection broke) counts as one more attempt: the header cannot have been bumped by a dead
 * worker. Classic queues cannot tell how many times a message was redelivered, so several deaths
 * in a row count as one until an attempt fails normally and the header is bumped durably.
 */
export function deliveryAttempt(msg: ConsumeMessage): number {
  return headerAttempt(msg) + (msg.fields.redelivered ? 1 : 0);
}
