// One operation on a channel of its own: a refusal (404, an exclusive queue) closes only that
// channel, never the connection or another operation's channel.
import type { Channel } from "amqplib";

export async function onChannel<T>(open: () => Promise<Channel>, use: (ch: Channel) => Promise<T>): Promise<T> {
  const ch = await open();
  ch.on("error", () => undefined);
  try {
    return await use(ch);
  } finally {
    await ch.close().catch(() => undefined);
  }
}
