// The coordinator's side of the RabbitMQ backend (demo driver, monitor).
//
// Every queue it reads is its run's own (rabbitmq-names.ts): results come from `<ns>.results.<run>`
// and are acked when handed to the caller. A message naming another run can only have been put
// there by hand; it is left out and held unacked, never counted.
//
// Dead letters stay in `<ns>.tasks.dlq.<run>` for inspection: the observer reads them without acking
// (they return to the queue when it closes) and only purge() removes this run's.
//
// Results arrive a batch per message and are read through results-intake.ts, which bounds the
// bytes held (not the message count) and hands out one ChunkResult per chunk, a bounded batch per call.
//
// In flight: workers publish small notices (taken / retry / released, each naming chunk ids) to the
// results queue; held-chunks.ts turns them into the set of chunks each worker holds (counted, never a
// hard-coded 0).
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { BackendOptions, ChunkResult, DeadLetterRecord, QueueStats, RunObserver, RunPlan } from "../backend.ts";
import { AmqpLink } from "./amqp-link.ts";
import { HeldChunks } from "./held-chunks.ts";
import { allRunQueues, rabbitmqNames, type RabbitmqNames } from "./rabbitmq-names.ts";
import { noticeChunkIds, parseBody, type NoticeType } from "./result-messages.ts";
import { ResultsIntake } from "./results-intake.ts";
import { LOAD_BATCH_CHUNKS, loadRun, lookUpPlan } from "./run-loader.ts";
import { readDoneMarkers, readProgress } from "./run-progress.ts";
import { assertTopology } from "./topology.ts";
import { json, publishConfirmed } from "./publish.ts";
import { parseBestPoints, type BestPoints } from "../../results/best-points.ts";

export class RabbitmqObserver implements RunObserver {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  readonly #o: BackendOptions;
  #consumingGeneration = 0;
  readonly #results: ResultsIntake;
  #dlqTag: string | undefined;
  readonly #acceptedIds = new Set<number>();
  #duplicates = 0;
  #retries = 0;
  #malformed = 0;
  readonly #deadLetters = new Map<string, DeadLetterRecord>();
  /** Dead-letter messages of this run, held unacked on the channel of `generation`. */
  #heldDeadLetters: { msg: ConsumeMessage; channel: ConfirmChannel; generation: number }[] = [];
  readonly #holding = new HeldChunks();
  #closed: Promise<void> | undefined;
  #plan: RunPlan | undefined;
  /** The last complete read of the done markers (passive figures), for when another reader has them. */
  #lastDone = { finished: 0, results: 0, failedParams: 0 };
  /** Parameters without a value in the accepted chunks read so far (the coordinator's count). */
  #failedParams = 0;

  constructor(link: AmqpLink, options: BackendOptions) {
    this.#link = link;
    this.#o = options;
    this.#names = rabbitmqNames(options.namespace, options.runId);
    this.#results = new ResultsIntake(link, this.#names.results, options.runId, {
      onNotice: (type, body) => this.#onNotice(type, body),
      onResults: (worker, results) => this.#holding.drop(results.map((r) => r.chunkId), worker),
      onMalformed: (count, worker) => {
        this.#malformed += count;
        this.#o.log?.("warn", `left out ${count} malformed result(s) of run ${this.#o.runId}`, { worker });
      },
    });
  }

  /** Loads the run; a coordinator (not a monitor) starts reading results at once, which marks the run active for cleanup. */
  async ensureLoaded(plan: RunPlan): Promise<void> {
    this.#plan = plan;
    await loadRun(this.#link, this.#names, plan, this.#o.log);
    if (!this.#o.passive) await this.#ensureConsuming();
  }

  async readNewResults(): Promise<ChunkResult[]> {
    await this.#ensureConsuming();
    const batch = await this.#results.take();
    for (const r of batch) {
      if (this.#acceptedIds.has(r.chunkId)) this.#duplicates++;
      else {
        this.#acceptedIds.add(r.chunkId);
        this.#failedParams += r.failed?.length ?? 0;
      }
    }
    return batch;
  }

  async deadLetters(): Promise<DeadLetterRecord[]> {
    await this.#ensureConsuming();
    return [...this.#deadLetters.values()];
  }

  /** The plan, from the run's plan message (read and put back). */
  async describeRun(): Promise<RunPlan | undefined> {
    const m = await lookUpPlan(this.#link, this.#names);
    return m && { runId: this.#o.runId, totalChunks: m.totalChunks, chunkSize: m.chunkSize, totalParameters: m.totalParameters };
  }

  /** The run's best queue keeps one message: this one replaces the last. */
  async publishBest(best: BestPoints): Promise<void> {
    await this.#ensureConsuming();
    const { channel } = await this.#link.channel(5_000);
    await publishConfirmed(channel, this.#names.best, json(best));
  }

  /** The coordinator's last published best (read and put back); undefined when there is none yet. */
  async #readBest(): Promise<BestPoints | undefined> {
    const ch = await this.#link.openChannel();
    ch.on("error", () => {});
    try {
      const msg = await ch.get(this.#names.best, { noAck: false }).catch(() => false as const);
      if (!msg) return undefined;
      ch.nack(msg, false, true);
      return parseBestPoints(msg.content.toString("utf8"));
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
    const inFlight = this.#holding.counts();
    extra["tasks.unacked"] = this.#holding.total;
    extra["dlq.heldByObserver"] = this.#heldDeadLetters.length;
    extra["retries"] = this.#retries;
    extra["results.prefetch"] = this.#results.prefetch;
    if (this.#results.otherHeld > 0) extra["results.otherRunsHeld"] = this.#results.otherHeld;
    if (this.#malformed > 0) extra["results.malformed"] = this.#malformed;
    // The broker requeues a gone worker's chunks itself (closed connection, missed heartbeats): no stale holders here.
    const loadedChunks = Math.min(this.#plan?.totalChunks ?? Number.POSITIVE_INFINITY, Number(extra["run.loadedBatches"]) * LOAD_BATCH_CHUNKS);
    const health = { loadedChunks, consumers: Number(extra["tasks.consumers"]), staleHolders: {}, staleThresholdMs: this.#o.staleThresholdMs };
    return { accepted: this.#acceptedIds.size, duplicates: this.#duplicates, deadLettered: this.#deadLetterChunks(), pending, failedParams: this.#failedParams, inFlight, extra, health };
  }

  /**
   * Figures read without taking anything (the monitor beside a demo): finished chunks from the
   * run's done markers (read and put back; when a worker is reading them right now, the last read
   * stands), dead letters from the DLQ depth, waiting from the task and retry queues.
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
      const markers = (await depth(this.#names.done)).messageCount;
      extra["run.doneMarkers"] = markers;
      const read = markers > 0 ? await readDoneMarkers(this.#link, this.#names, markers).catch(() => undefined) : undefined;
      if (read || markers === 0) this.#lastDone = { finished: read?.finished.size ?? 0, results: read?.results.size ?? 0, failedParams: sumOf(read?.failedParams) };
      const done = this.#lastDone.finished;
      const dead = Number(extra["dlq.ready"]);
      const pending = Number(extra["tasks.ready"]) + Number(extra["retry.ready"]);
      this.#plan ??= await this.describeRun();
      const loaded = Math.min(this.#plan?.totalChunks ?? 0, (await depth(this.#names.run)).messageCount * LOAD_BATCH_CHUNKS);
      // Unacked chunks cannot be counted without the management plugin: whatever is loaded and
      // neither waiting nor finished is held by some worker.
      const held = Math.max(0, loaded - pending - done);
      const best = await this.#readBest();
      return {
        ...(best ? { best } : {}),
        accepted: this.#lastDone.results,
        duplicates: 0,
        deadLettered: dead,
        pending,
        failedParams: this.#lastDone.failedParams,
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
    return this.#holding.forget(workerId);
  }

  /** Deletes every queue of this run (no other run's messages live in them). */
  async purge(): Promise<void> {
    for (const held of this.#heldDeadLetters.splice(0)) ackIfOpen(this.#link, held);
    this.#results.ackAll();
    await this.#results.stop();
    if (this.#dlqTag && this.#link.isOpen(this.#consumingGeneration)) {
      const { channel } = await this.#link.channel(0);
      await channel.cancel(this.#dlqTag).catch(() => {});
    }
    this.#dlqTag = undefined;
    this.#consumingGeneration = 0;
    for (const queue of allRunQueues(this.#names)) await this.#deleteQuietly(queue);
    this.#deadLetters.clear();
  }

  /** Each on its own channel: a refusal (another connection's exclusive lock) closes only that one. */
  async #deleteQuietly(queue: string): Promise<void> {
    const ch = await this.#link.openChannel();
    ch.on("error", () => {});
    try {
      await ch.deleteQueue(queue);
    } catch {
      // Held exclusively by a loader that is still connected: it goes when that connection does.
    } finally {
      await ch.close().catch(() => {});
    }
  }

  async #ensureConsuming(): Promise<void> {
    if (this.#consumingGeneration === this.#link.generation && this.#link.isOpen()) return;
    const { channel, generation } = await this.#link.channel(5_000);
    // A reconnect put every held message back; they will come again.
    this.#heldDeadLetters = this.#heldDeadLetters.filter((h) => h.generation === generation);
    const aux = await this.#link.openChannel();
    try {
      await assertTopology(aux, this.#names); // so stats() may look at queues no loader created yet
    } finally {
      await aux.close().catch(() => {});
    }
    await this.#results.start(channel, generation);
    await channel.prefetch(0); // dead letters are small and held for inspection: no limit
    const dlq = await channel.consume(this.#names.dlq, (msg) => msg && this.#onDeadLetter(msg, channel, generation), { noAck: false });
    this.#dlqTag = dlq.consumerTag;
    this.#consumingGeneration = generation;
  }

  #onNotice(type: NoticeType, body: Record<string, unknown>): void {
    const worker = typeof body.worker === "string" ? body.worker : "?";
    const chunkIds = noticeChunkIds(body);
    if (type === "taken") {
      // The chunks moved: whoever had them before (dead, frozen) no longer holds them.
      this.#holding.take(worker, chunkIds);
      return;
    }
    if (type === "retry") this.#retries += chunkIds.length;
    this.#holding.drop(chunkIds, worker);
  }

  #onDeadLetter(msg: ConsumeMessage, channel: ConfirmChannel, generation: number): void {
    const body = parse(msg);
    if (!body || body.runId !== this.#o.runId) return; // not this run's (put there by hand): held, never counted
    const key = typeof msg.properties.messageId === "string" ? msg.properties.messageId : `${String(body.chunkId)}/${String(body.at)}`;
    if (!this.#deadLetters.has(key)) this.#deadLetters.set(key, body as unknown as DeadLetterRecord);
    if (Number.isSafeInteger(body.chunkId)) this.#holding.drop([body.chunkId as number]);
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
  return parseBody(msg.content);
}

export async function createRabbitmqObserver(options: BackendOptions): Promise<RunObserver> {
  const link = await AmqpLink.open({ url: options.url, name: `ttg-observer-${options.runId}`, ...(options.log ? { log: options.log } : {}) });
  return new RabbitmqObserver(link, options);
}

function sumOf(counts: ReadonlyMap<number, number> | undefined): number {
  let n = 0;
  for (const c of counts?.values() ?? []) n += c;
  return n;
}
