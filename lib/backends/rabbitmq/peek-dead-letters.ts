// A RabbitMQ run's dead letters, looked at and put back: each is fetched unacknowledged on a
// channel of its own, and closing that channel returns every one to the queue in its order. What a
// coordinator holds for inspection (its observer consumes the queue) is not ready, so not seen here.
import type { DeadLetterRecord } from "../backend.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { parseBody } from "./result-messages.ts";

export async function peekDeadLetters(link: AmqpLink, queue: string, runId: string, limit: number): Promise<DeadLetterRecord[]> {
  const ch = await link.openChannel();
  ch.on("error", () => {});
  const out: DeadLetterRecord[] = [];
  try {
    for (let i = 0; i < limit; i++) {
      const msg = await ch.get(queue, { noAck: false }).catch(() => false as const);
      if (!msg) break;
      const body = parseBody(msg.content);
      if (!body || body.runId !== runId) continue;
      const num = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);
      out.push({
        runId,
        chunkId: num(body.chunkId),
        start: num(body.start),
        end: num(body.end),
        attempts: typeof body.attempts === "number" ? body.attempts : 0,
        error: typeof body.error === "string" ? body.error : "",
      });
    }
  } finally {
    await ch.close().catch(() => {});
  }
  return out;
}
