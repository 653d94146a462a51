// The coordinator's side of the RabbitMQ backend (demo driver, monitor).
//
// Results routing: the namespace's runs share `<ns>.results` (the queue name the spec fixes). The
// observer consumes it; its own run's results are acked when handed to the caller, and messages of
// another run are held unacked (never acked, never lost): when this observer closes, the broker
// puts them back for that run's observer. One run at a time per namespace is the intended use;
// concurrent runs should use their own QUEUE_NAMESPACE, since holding another run's results here
// delays them until this observer closes.
//
// Dead letters stay in `<ns>.tasks.dlq` for inspection: the observer reads them without acking
// (they return to the queue when it closes) and only purge() removes this run's.
//
// In flight: workers publish small notices (taken / retry / released) to the results queue; with
// prefetch 1 a worker holds at most one chunk, so "the last notice of worker w was taken" is exactly
// what it holds (LESSONS 16: never a hard-coded 0).
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { BackendOptions, ChunkResult, DeadLetterRecord, QueueStats, RunObserver, RunPlan } from "../backend.ts";
import { AmqpLink, pause } from "./amqp-link.ts";
import { rabbitmqNames, runQueues, sharedQueues, type RabbitmqNames } from "./rabbitmq-names.ts";
import { LOAD_BATCH_CHUNKS, loadRun } from "./run-loader.ts";
import { readProgress } from "./run-progress.ts";
import { assertTopology } from "./topology.ts";

type Held = { chunkId: number; since: string };

const RESULTS_PREFETCH = 200;

export class RabbitmqObserver implements RunObserver {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  readonly #o: BackendOptions;
  #consumingGeneration = 0;
  #newResults: { result: ChunkResult; msg: ConsumeMessage; channel: ConfirmChannel; generation: number }[] = [];
  #consumerTags: string[] = [];
  readonly #acceptedIds = new Set<number>();
  #duplicates = 0;
  #retries = 0;
  readonly #deadLetters = new Map<string, DeadLetterRecord>();
  /** Dead-letter messages of this run, held unacked on the channel of `generation`. */
  #heldDeadLetters: { msg: ConsumeMessage; channel: ConfirmChannel; generation: number }[] = [];
  #foreignHeld = 0;
  readonly #holding = new Map<string, Held>();
  #closed: Promise<void> | undefined;
  #plan: RunPlan | undefined;

  constructor(link: AmqpLink, options: BackendOptions) {
    this.#link = link;
    this.#o = options;
    this.#names = rabbitmqNames(options.namespace, options.runId);
  }

  ensureLoaded(plan: RunPlan): Promise<void> {
    return loadRun(this.#link, this.#names, plan, this.#o.log);
  }

  async readNewResults(): Promise<ChunkResult[]> {
    await this.#ensureConsuming();
    const batch = this.#newResults.splice(0, RESULTS_PREFETCH);
    for (const r of batch) ackIfOpen(this.#link, r);
    return batch.map((r) => r.result);
  }

  async deadLetters(): Promise<DeadLetterRecord[]> {
    await this.#ensureConsuming();
    return [...this.#deadLetters.values()];
  }

  /** The plan, from the run's first load marker (read and put back). */
  async describeRun(): Promise<RunPlan | undefined> {
    const ch = await this.#link.openChannel();
    ch.on("error", () => {});
    try {
      const msg = await ch.get(this.#names.run, { noAck: false }).catch(() => false as const);
      if (!msg) return undefined;
      ch.nack(msg, false, true);
      const m = parse(msg);
      if (!m || typeof m.totalChunks !== "number") return undefined;
      return { runId: this.#o.runId, totalChunks: m.totalChunks, chunkSize: Number(m.chunkSize), totalParameters: Number(m.totalParameters) };
    } finally {
      await ch.close().catch(() => {});
    }
  }

  async stats(): Promise<QueueStats> {
    if (this.#o.passive) return this.#passiveStats();
    await this.#ensureConsuming();
    const extra: Record<string, number | string> = {};
    const ch = await this.#link.openChannel();
    let pending = 0;
    try {
      for (const [label, queue] of [["tasks", this.#names.tasks], ["retry", this.#names.retry], ["dlq", this.#names.dlq], ["results", this.#names.results]] as const) {
        const q = await ch.checkQueue(queue);
        extra[`${label}.ready`] = q.messageCount;
        extra[`${label}.consumers`] = q.consumerCount;
        if (label === "tasks" || label === "retry") pending += q.messageCount;
      }
      const progress = await readProgress(ch, this.#names);
      extra["run.loadedBatches"] = progress.loadedBatches;
      extra["run.doneMarkers"] = progress.doneMarkers;
    } finally {
      await ch.close().catch(() => {});
    }
    // Unacked counts need the management plugin; what workers hold comes from their notices.
    const inFlight: Record<string, number> = {};
    for (const worker of this.#holding.keys()) inFlight[worker] = 1;
    extra["tasks.unacked"] = this.#holding.size;
    extra["dlq.heldByObserver"] = this.#heldDeadLetters.length;
    extra["retries"] = this.#retries;
    if (this.#foreignHeld > 0) extra["results.otherRunsHeld"] = this.#foreignHeld;
    return { accepted: this.#acceptedIds.size, duplicates: this.#duplicates, deadLettered: this.#deadLetterChunks(), pending, inFlight, extra };
  }

  /**
   * Figures read without consuming anything (the monitor beside a demo): finished chunks from the
   * run's done markers (a late duplicate adds a marker too, so this can run ahead by a duplicate),
   * dead letters from the DLQ depth, waiting from the task and retry queues.
   */
  async #passiveStats(): Promise<QueueStats> {
    const ch = await this.#link.openChannel();
    ch.on("error", () => {});
    const extra: Record<string, number | string> = {};
    try {
      const depth = async (queue: string) => (await ch.checkQueue(queue).catch(() => ({ messageCount: 0, consumerCount: 0 })));
      for (const [label, queue] of [["tasks", this.#names.tasks], ["retry", this.#names.retry], ["dlq", this.#names.dlq], ["results", this.#names.results]] as const) {
        const q = await depth(queue);
        extra[`${label}.ready`] = q.messageCount;
        extra[`${label}.consumers`] = q.consumerCount;
      }
      const done = (await depth(this.#names.done)).messageCount;
      extra["run.doneMarkers"] = done;
      const dead = Number(extra["dlq.ready"]);
      const pending = Number(extra["tasks.ready"]) + Number(extra["retry.ready"]);
      this.#plan ??= await this.describeRun();
      const loaded = Math.min(this.#plan?.totalChunks ?? 0, (await depth(this.#names.run)).messageCount * LOAD_BATCH_CHUNKS);
      // Unacked chunks cannot be counted without the management plugin: whatever is loaded and
      // neither waiting nor finished is held by some worker.
      const held = Math.max(0, loaded - pending - done);
      return {
        accepted: Math.max(0, done - dead),
        duplicates: 0,
        deadLettered: dead,
        pending,
        inFlight: held > 0 ? { "(all workers)": held } : {},
        extra,
      };
    } finally {
      await ch.close().catch(() => {});
    }
  }

  #deadLetterChunks(): number {
    const ids = new Set<string>();
    for (const [key, r] of this.#deadLetters) ids.add(r.chunkId === null ? key : String(r.chunkId));
    return ids.size;
  }

  /**
   * RabbitMQ requeues a dead connection's unacked chunk by itself (at once for a killed process,
   * after two missed heartbeats for a frozen one); this only forgets what the worker held and
   * returns how many chunks the broker hands to others.
   */
  async reclaimFrom(workerId: string): Promise<number> {
    const held = this.#holding.delete(workerId);
    return held ? 1 : 0;
  }

  /**
   * Removes this run's messages from the shared queues, deletes the run's own queues, and deletes
   * a shared queue only when it is left empty and unused (never another run's messages).
   */
  async purge(): Promise<void> {
    for (const held of [...this.#heldDeadLetters.splice(0), ...this.#newResults.splice(0)]) ackIfOpen(this.#link, held);
    if (this.#link.isOpen(this.#consumingGeneration)) {
      const { channel } = await this.#link.channel(0);
      for (const tag of this.#consumerTags.splice(0)) await channel.cancel(tag).catch(() => {});
    }
    this.#consumingGeneration = 0;
    for (const queue of sharedQueues(this.#names)) await this.#removeRunMessages(queue);
    for (const queue of runQueues(this.#names)) await this.#deleteQuietly(queue, {});
    for (const queue of sharedQueues(this.#names)) await this.#deleteQuietly(queue, { ifUnused: true, ifEmpty: true });
    this.#deadLetters.clear();
  }

  /** Each on its own channel: a refusal (in use, not empty, another connection's lock) closes it. */
  async #deleteQuietly(queue: string, options: { ifUnused?: boolean; ifEmpty?: boolean }): Promise<void> {
    const ch = await this.#link.openChannel();
    try {
      await ch.deleteQueue(queue, options);
    } catch {
      // Still in use, not empty, or not ours to delete: leave it.
    } finally {
      await ch.close().catch(() => {});
    }
  }

  /** Takes every ready message of the queue, acks this run's, and lets the others go back. */
  async #removeRunMessages(queue: string): Promise<void> {
    const ch = await this.#link.openChannel();
    ch.on("error", () => {});
    try {
      let ready: number;
      try {
        ready = (await ch.checkQueue(queue)).messageCount;
      } catch {
        return; // no such queue: nothing of this run in it
      }
      if (ready === 0) return;
      let seen = 0;
      let lastAt = Date.now();
      await ch.consume(queue, (msg) => {
        if (!msg) return;
        seen++;
        lastAt = Date.now();
        if (runIdOf(msg) === this.#o.runId) ch.ack(msg);
      });
      // Deliveries are pushed at once; stop when all seen, or when none came for a while.
      while (seen < ready && Date.now() - lastAt < 500) await pause(20);
    } finally {
      await ch.close().catch(() => {}); // other runs' messages go back to the queue
    }
  }

  async #ensureConsuming(): Promise<void> {
    if (this.#consumingGeneration === this.#link.generation && this.#link.isOpen()) return;
    const { channel, generation } = await this.#link.channel(5_000);
    // A reconnect put every held message back; they will come again.
    this.#heldDeadLetters = this.#heldDeadLetters.filter((h) => h.generation === generation);
    this.#foreignHeld = 0;
    const aux = await this.#link.openChannel();
    try {
      await assertTopology(aux, this.#names); // so stats() may look at queues no loader created yet
    } finally {
      await aux.close().catch(() => {});
    }
    // Bounded: the observer holds at most this many results (each may carry a chunk's values).
    await channel.prefetch(RESULTS_PREFETCH);
    const results = await channel.consume(this.#names.results, (msg) => msg && this.#onResultsMessage(msg, channel, generation), { noAck: false });
    await channel.prefetch(0); // dead letters are small and held for inspection: no limit
    const dlq = await channel.consume(this.#names.dlq, (msg) => msg && this.#onDeadLetter(msg, channel, generation), { noAck: false });
    this.#consumerTags = [results.consumerTag, dlq.consumerTag];
    this.#consumingGeneration = generation;
  }

  #onResultsMessage(msg: ConsumeMessage, channel: ConfirmChannel, generation: number): void {
    const body = parse(msg);
    if (!body || body.runId !== this.#o.runId) {
      this.#foreignHeld++;
      return; // another run's (or unreadable): held, not acked, back in the queue when we close
    }
    const worker = typeof body.worker === "string" ? body.worker : "?";
    const chunkId = Number(body.chunkId);
    switch (msg.properties.type) {
      case "taken":
        // The chunk moved: whoever had it before (dead, frozen) no longer holds it.
        for (const [w, held] of this.#holding) if (held.chunkId === chunkId) this.#holding.delete(w);
        this.#holding.set(worker, { chunkId, since: String(body.at) });
        channel.ack(msg);
        return;
      case "retry":
      case "released":
        if (msg.properties.type === "retry") this.#retries++;
        if (this.#holding.get(worker)?.chunkId === chunkId) this.#holding.delete(worker);
        channel.ack(msg);
        return;
      default: {
        const result = body as unknown as ChunkResult;
        if (this.#holding.get(worker)?.chunkId === chunkId) this.#holding.delete(worker);
        if (this.#acceptedIds.has(chunkId)) this.#duplicates++;
        else this.#acceptedIds.add(chunkId);
        this.#newResults.push({ result, msg, channel, generation });
      }
    }
  }

  #onDeadLetter(msg: ConsumeMessage, channel: ConfirmChannel, generation: number): void {
    const body = parse(msg);
    if (!body || body.runId !== this.#o.runId) return; // another run's: held until we close
    const key = typeof msg.properties.messageId === "string" ? msg.properties.messageId : `${String(body.chunkId)}/${String(body.at)}`;
    if (!this.#deadLetters.has(key)) this.#deadLetters.set(key, body as unknown as DeadLetterRecord);
    const chunkId = Number(body.chunkId);
    for (const [w, held] of this.#holding) if (held.chunkId === chunkId) this.#holding.delete(w);
    this.#heldDeadLetters.push({ msg, channel, generation });
  }

  close(): Promise<void> {
    this.#closed ??= this.#link.close();
    return this.#closed;
  }
}

/** Acks on the channel the message came on; after a reconnect the broker has put it back already. */
function ackIfOpen(link: AmqpLink, held: { msg: ConsumeMessage; channel: ConfirmChannel; generation: number }): void {
  if (!link.isOpen(held.generation)) return;
  try {
    held.channel.ack(held.msg);
  } catch {
    // The channel closed in between: the message is back in its queue.
  }
}

function parse(msg: { content: Buffer }): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(msg.content.toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function runIdOf(msg: ConsumeMessage): string | undefined {
  const body = parse(msg);
  const id = body?.runId ?? body?.run_id;
  return typeof id === "string" ? id : undefined;
}

export async function createRabbitmqObserver(options: BackendOptions): Promise<RunObserver> {
  const link = await AmqpLink.open({ url: options.url, name: `ttg-observer-${options.runId}`, ...(options.log ? { log: options.log } : {}) });
  return new RabbitmqObserver(link, options);
}
