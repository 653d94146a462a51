// One AMQP connection with a confirm channel that comes back after every loss, not only the first
// connect (a dropped connection mid-run must not end the worker). Each (re)connect gets a new generation number: a delivery remembers the
// generation it came on, because its delivery tag means nothing on a later channel.
import { redactUrl } from "../../net/redact-url.ts";
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from "amqplib";
import type { BackendOptions } from "../backend.ts";

/**
 * Short heartbeats: the broker closes a frozen (SIGSTOP) worker's connection after about two
 * missed beats and requeues its unacked chunk. Compute runs in a thread, so beats never starve.
 */
const DEFAULT_HEARTBEAT_SECONDS = 2;

export type LinkOptions = {
  url: string;
  /** Shown in the management UI and `rabbitmqctl list_connections`. */
  name: string;
  heartbeatSeconds?: number;
  /** How long the first connect keeps retrying before giving up. */
  connectTimeoutMs?: number;
  log?: BackendOptions["log"];
};

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class AmqpLink {
  readonly #o: LinkOptions;
  #model: ChannelModel | undefined;
  #channel: ConfirmChannel | undefined;
  #generation = 0;
  #closing = false;
  #closed: Promise<void> | undefined;
  #reconnecting = false;
  #waiters: Waiter[] = [];

  private constructor(options: LinkOptions) {
    this.#o = options;
  }

  static async open(options: LinkOptions): Promise<AmqpLink> {
    const link = new AmqpLink(options);
    const deadline = Date.now() + (options.connectTimeoutMs ?? 30_000);
    let delay = 100;
    for (;;) {
      try {
        await link.#connect();
        return link;
      } catch (error) {
        if (Date.now() + delay > deadline || isAccessRefused(error)) {
          throw new Error(`Cannot connect to RabbitMQ at ${redactUrl(options.url)}: ${describe(error)}`, { cause: error });
        }
        await pause(delay);
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  get generation(): number {
    return this.#generation;
  }

  /** True while the channel of this generation is open. */
  isOpen(generation = this.#generation): boolean {
    return this.#channel !== undefined && generation === this.#generation;
  }

  /** The current confirm channel; waits up to timeoutMs for a reconnect when the link is down. */
  async channel(timeoutMs = Number.POSITIVE_INFINITY): Promise<{ channel: ConfirmChannel; generation: number }> {
    if (this.#closing) throw new Error("Cannot use the RabbitMQ connection: it was closed");
    if (!this.#channel) await this.#waitForReconnect(timeoutMs);
    const channel = this.#channel;
    if (!channel) throw new Error(`Cannot reach RabbitMQ at ${redactUrl(this.#o.url)}: still reconnecting`);
    return { channel, generation: this.#generation };
  }

  /** A plain extra channel on the current connection (locks, transactions, one-off reads). */
  async openChannel(): Promise<Channel> {
    await this.channel();
    const model = this.#model;
    if (!model) throw new Error("Cannot open a channel: the RabbitMQ connection is down");
    const ch = await model.createChannel();
    // A server-side channel close (RESOURCE_LOCKED, NOT_FOUND...) arrives as 'error': the caller
    // sees the rejected operation; without a listener the emitter would crash the process.
    ch.on("error", () => {});
    return ch;
  }

  /**
   * Runs op on the current channel; when the connection drops under it, waits for the reconnect
   * and runs it again (ops must be safe to repeat). Protocol errors (a queue declared with other
   * arguments, a missing queue) are not connection losses and are thrown at once.
   */
  async retrying<T>(what: string, op: (channel: ConfirmChannel, generation: number) => Promise<T>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { channel, generation } = await this.channel(Math.max(0, deadline - Date.now()));
      try {
        return await op(channel, generation);
      } catch (error) {
        if (this.#closing || isProtocolError(error) || Date.now() > deadline) throw error;
        this.#o.log?.("warn", `${what}: the RabbitMQ connection broke, trying again after reconnecting`, { error: describe(error) });
        if (this.isOpen(generation)) this.#lost(generation, error);
      }
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    for (const w of this.#waiters.splice(0)) w.reject(new Error("Cannot use the RabbitMQ connection: it was closed"));
    const model = this.#model;
    const channel = this.#channel;
    this.#model = undefined;
    this.#channel = undefined;
    try {
      // Channel first: its close is ordered after the acks already sent on it, while a connection
      // close may overtake them (amqplib writes channel 0 first) and requeue what was acked.
      await channel?.close().catch(() => {});
      await model?.close();
    } catch {
      // Already gone: nothing to close.
    }
  }

  async #connect(): Promise<void> {
    const url = new URL(this.#o.url);
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(this.#o.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS));
    // noDelay: amqplib leaves Nagle on, which holds a small frame (a done marker, an ack) behind an
    // unacknowledged segment until the peer's delayed ACK, ~40 ms: a batch paid that twice.
    const model = await connect(url.toString(), { timeout: 5_000, noDelay: true, clientProperties: { connection_name: this.#o.name } });
    // At once: a connection reset while the channel opens would otherwise be an unhandled 'error' that ends the process.
    model.on("error", (error: Error) => this.#o.log?.("debug", "RabbitMQ connection error", { error: describe(error) }));
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (error) {
      await model.close().catch(() => {});
      throw error;
    }
    if (this.#closing) {
      await model.close().catch(() => {});
      return;
    }
    const generation = ++this.#generation;
    this.#model = model;
    this.#channel = channel;
    model.on("close", (error?: Error) => this.#lost(generation, error));
    channel.on("error", (error: Error) => this.#o.log?.("debug", "RabbitMQ channel error", { error: describe(error) }));
    channel.on("close", () => this.#lost(generation, new Error("channel closed")));
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  /** The connection or its channel is gone: drop both and reconnect in the background. */
  #lost(generation: number, error: unknown): void {
    if (this.#closing || generation !== this.#generation || !this.#model) return;
    const model = this.#model;
    this.#model = undefined;
    this.#channel = undefined;
    // A channel-level error leaves the connection open: close it so the next generation starts clean.
    model.close().catch(() => {});
    this.#o.log?.("warn", "lost the RabbitMQ connection; reconnecting", { error: describe(error) });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    let delay = 100;
    try {
      while (!this.#closing && !this.#channel) {
        try {
          await this.#connect();
          if (this.#channel) this.#o.log?.("info", "reconnected to RabbitMQ", { generation: this.#generation });
        } catch (error) {
          this.#o.log?.("debug", "RabbitMQ reconnect failed", { error: describe(error), retryInMs: delay });
          await pause(delay);
          delay = Math.min(delay * 2, 2_000);
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  #waitForReconnect(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.#waiters = this.#waiters.filter((w) => w !== waiter);
            resolve();
          }, timeoutMs)
        : undefined;
      this.#waiters.push(waiter);
    });
  }
}

/** The broker refused the operation itself (not a lost connection): repeating it would not help. */
export function isProtocolError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 403 || code === 404 || code === 405 || code === 406;
}

/**
 * The broker refused the login (amqplib: "Handshake terminated by server: 403 (ACCESS-REFUSED)").
 * By name, never by "403" alone: "connect ECONNREFUSED 127.0.0.1:40329" holds one too.
 */
export function isAccessRefused(error: unknown): boolean {
  return /ACCESS[-_]REFUSED|authenticat/i.test(describe(error));
}

/** Another connection holds the exclusive queue (405 RESOURCE_LOCKED), by its code or its name, never a "405" in a queue name. */
export function isResourceLocked(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 405 || /RESOURCE_LOCKED/.test(describe(error));
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
