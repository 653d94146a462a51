// Every publish is persistent and waits for the broker's confirm: a message counts as sent only
// once the broker has taken responsibility for it (the original published unconfirmed, so a message could be lost after its chunk was acked).
import type { ConfirmChannel, Options } from "amqplib";

export function publishConfirmed(ch: ConfirmChannel, queue: string, body: Buffer, options: Options.Publish = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      ch.sendToQueue(queue, body, { persistent: true, contentType: "application/json", ...options }, (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error(`RabbitMQ did not confirm a publish to ${queue}: ${String(error)}`));
        else resolve();
      });
    } catch (error) {
      // Publishing on a channel that has just closed throws synchronously.
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
