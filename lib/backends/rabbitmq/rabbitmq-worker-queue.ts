// A worker's side of the RabbitMQ backend. Chunks come in batches (task-intake.ts: basic.consume
// with prefetch = the batch size). A finished batch costs one persistent confirmed message carrying
// all its results, one confirmed done marker naming all its chunks, then one ack (multiple=true) when
// the batch's delivery tags allow; acks come only after the results (or retry copy, or dead letter)
// are confirmed by the broker (an ack before the confirm could lose a chunk's only copy).
import { randomUUID } from "node:crypto";
import type { BackendOptions, ChunkResult, Completion, DeadLetterRecord, Delivery, RunPlan, Verdict, WorkerQueue } from "../backend.ts";
import { AmqpLink, describe } from "./amqp-link.ts";
import type { Arrival } from "./delivery-acks.ts";
import { json, publishConfirmed } from "./publish.ts";
import { rabbitmqNames, type RabbitmqNames } from "./rabbitmq-names.ts";
import { encodeResults, RESULTS_TYPE, type NoticeType } from "./result-messages.ts";
import { loadRun } from "./run-loader.ts";
import { markDone, SettledCheck } from "./run-progress.ts";
import { SettledSignal } from "./settled-signal.ts";
import { sameMessageId, TaskIntake } from "./task-intake.ts";
import { ATTEMPT_HEADER, LAST_ERROR_HEADER, decodeAnyTask, deliveryAttempt, headerLastError } from "./task-message.ts";

type RabbitDelivery = Delivery & Arrival;

/**
 * How often an idle worker still asks whether the run settled, once past its first idle seconds:
 * the end is pushed (settled-signal.ts), so this only covers a run whose last finisher left before
 * proving it (killed between its last ack and its check), at a passive declare per probe.
 */
export const SETTLED_FALLBACK_PROBE_MS = 30_000;

export class RabbitmqWorkerQueue implements WorkerQueue {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  readonly #o: BackendOptions;
  readonly #settled = new SettledCheck();
  readonly #intake: TaskIntake;
  readonly #signal: SettledSignal;
  readonly idleProbeMs = SETTLED_FALLBACK_PROBE_MS;
  #closed: Promise<void> | undefined;

  constructor(link: AmqpLink, options: BackendOptions) {
    this.#link = link;
    this.#o = options;
    this.#names = rabbitmqNames(options.namespace, options.runId);
    this.#intake = new TaskIntake(link, this.#names, options.log);
    // Heard while waiting for chunks: the wait ends now, not at its deadline (up to a second later).
    this.#signal = new SettledSignal(link, this.#names, this.#intake.acks, () => this.#intake.interrupt());
  }

  ensureLoaded(plan: RunPlan): Promise<void> {
    return loadRun(this.#link, this.#names, plan, this.#o.log);
  }

  async next(blockMs: number, max: number, chunkMs?: number): Promise<Delivery[]> {
    if (!Number.isSafeInteger(max) || max < 1) throw new Error(`Cannot take chunks: the batch size must be a whole number >= 1, not ${String(max)}`);
    const deadline = Date.now() + blockMs;
    for (;;) {
      const arrivals = await this.#intake.take(max, deadline, chunkMs);
      if (arrivals.length === 0) return [];
      // Decoded without an await per chunk (a batch is up to a thousand): only the rare chunk over
      // MAX_DELIVERIES waits, for its dead letter.
      const deliveries: RabbitDelivery[] = [];
      const chunkIds: number[] = [];
      for (const a of arrivals) {
        const d = this.#toDelivery(a);
        if (d.task && d.deliveryCount > this.#o.maxDeliveries) {
          // Its holders died (or froze) with it more often than a chunk may be tried: poison.
          const error = headerLastError(a.msg) ?? `abandoned: its worker died or froze while holding it (delivery ${d.deliveryCount})`;
          await this.#deadLetter(d, error, d.deliveryCount - 1);
          continue;
        }
        deliveries.push(d);
        if (d.task) chunkIds.push(d.task.chunkId);
      }
      if (chunkIds.length > 0) this.#notice("taken", { chunkIds });
      if (deliveries.length > 0 || Date.now() >= deadline) return deliveries;
    }
  }

  #toDelivery(a: Arrival): RabbitDelivery {
    const raw = a.msg.content.toString("utf8");
    const parsed = decodeAnyTask(raw);
    const task = parsed?.runId === this.#o.runId ? parsed : undefined;
    return { task, raw: raw.slice(0, 500), deliveryCount: deliveryAttempt(a.msg), ...a };
  }

  async renew(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    // Nothing to renew: the lease is the connection, kept alive by heartbeats. A delivery of a
    // channel that is gone was requeued by the broker: taken from this worker.
    return deliveries.filter((d) => !this.#link.isOpen((d as RabbitDelivery).generation));
  }

  async complete(completions: readonly Completion[]): Promise<Verdict[]> {
    if (completions.length === 0) return [];
    const messageId = randomUUID();
    let verdicts: Verdict[] = [];
    // Results first, marker second, each confirmed: a marker never names a chunk whose result the
    // broker might not have (settled() trusts the markers).
    await this.#link.retrying("publish a batch of results", async (ch, generation) => {
      const sorted = sortCompletions(completions, generation);
      verdicts = sorted.verdicts;
      if (sorted.results.length === 0) return;
      await publishConfirmed(ch, this.#names.results, encodeResults(sorted.results), { type: RESULTS_TYPE, messageId });
      const failed = sorted.results.flatMap((r): [number, number][] => (r.failed?.length ? [[r.chunkId, r.failed.length]] : []));
      await markDone(ch, this.#names, sorted.results.map((r) => r.chunkId), "result", failed);
    });
    this.#intake.acks.ack(completions.map((c) => c.delivery as RabbitDelivery));
    return verdicts;
  }

  async fail(delivery: Delivery, error: string): Promise<"retry" | "dead-lettered"> {
    const d = delivery as RabbitDelivery;
    if (!d.task || d.deliveryCount >= this.#o.maxDeliveries) {
      await this.#deadLetter(d, error, d.deliveryCount);
      return "dead-lettered";
    }
    const delay = this.#o.retryDelayMs;
    const headers = { [ATTEMPT_HEADER]: d.deliveryCount + 1, [LAST_ERROR_HEADER]: error.slice(0, 2000) };
    // Per-message expiration, not a queue argument: another run may use another delay.
    const [queue, options] = delay > 0 ? [this.#names.retry, { expiration: String(delay) }] : [this.#names.tasks, {}];
    // The copy is confirmed before the original is acked: a crash in between duplicates the task
    // (absorbed by effectively-once results), the reverse order could lose it.
    await this.#link.retrying("publish a retry", (ch) =>
      publishConfirmed(ch, queue, d.msg.content, { ...options, headers, ...sameMessageId(d.msg) }),
    );
    this.#intake.acks.ack([d]);
    this.#notice("retry", { chunkIds: [d.task.chunkId], attempt: d.deliveryCount, error });
    return "retry";
  }

  async release(delivery: Delivery): Promise<void> {
    const d = delivery as RabbitDelivery;
    if (!this.#link.isOpen(d.generation)) return; // its channel is gone: the broker already requeued it
    await this.#intake.putBack([d]);
    if (d.task) this.#notice("released", { chunkIds: [d.task.chunkId] });
  }

  async #deadLetter(d: RabbitDelivery, error: string, attempts: number): Promise<void> {
    const parsed = d.task ?? decodeAnyTask(d.msg.content.toString("utf8"));
    const foreign = parsed !== undefined && parsed.runId !== this.#o.runId;
    const record: DeadLetterRecord & { worker: string; at: string } = {
      runId: parsed?.runId ?? this.#o.runId,
      chunkId: parsed?.chunkId ?? null,
      start: parsed?.start ?? null,
      end: parsed?.end ?? null,
      attempts,
      error: foreign ? `${error} (a chunk of run ${parsed.runId}; this worker serves run ${this.#o.runId})` : error,
      worker: this.#o.consumer,
      at: new Date().toISOString(),
    };
    if (!d.task) record.raw = d.raw;
    await this.#link.retrying("dead-letter a chunk", async (ch) => {
      await publishConfirmed(ch, this.#names.dlq, json(record), { type: "dead-letter", messageId: randomUUID() });
      if (d.task) await markDone(ch, this.#names, [d.task.chunkId], "dead-lettered");
    });
    this.#intake.acks.ack([d]);
    this.#o.log?.("warn", `dead-lettered ${d.task ? `chunk ${d.task.chunkId}` : "a malformed message"}`, { attempts, error });
  }

  /** Advisory, so not awaited by the caller's path (still confirmed, like every publish). */
  #notice(type: NoticeType, fields: Record<string, unknown>): void {
    const body = { runId: this.#o.runId, worker: this.#o.consumer, at: new Date().toISOString(), ...fields };
    this.#link
      .channel(0)
      .then(({ channel }) => publishConfirmed(channel, this.#names.results, json(body), { type, persistent: false }))
      .catch((error: unknown) => this.#o.log?.("debug", `could not publish a ${type} notice`, { error: describe(error) }));
  }

  /** Proves the run settled from the done markers, unless the marker of a worker that did was pushed here. */
  async settled(plan: RunPlan): Promise<boolean> {
    if (this.#signal.heard) return true;
    if (await this.#settled.check(this.#link, this.#names, plan)) return true;
    // Not yet: listen for the worker that proves it (after the check, which fails first on a purged run).
    await this.#signal.listen().catch((error: unknown) => this.#o.log?.("debug", "could not listen for the run's end", { error: describe(error) }));
    return this.#signal.heard;
  }

  settledHeard(): boolean {
    return this.#signal.heard;
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // Chunks pushed to us but never started go back with their attempt count unchanged (closing
    // the channel would requeue them marked redelivered, which counts as an attempt).
    await this.#intake.close();
    await this.#signal.close();
    await this.#settled.close();
    await this.#link.close();
  }
}

/**
 * Which results go out on the channel of `generation`: not a chunk whose delivery came on an earlier
 * channel (the broker requeued it when that channel died, e.g. while this worker was frozen: another
 * worker redoes it, so this copy is a late duplicate), and a chunk only once per batch.
 */
function sortCompletions(completions: readonly Completion[], generation: number): { results: ChunkResult[]; verdicts: Verdict[] } {
  const seen = new Set<number>();
  const results: ChunkResult[] = [];
  const verdicts = completions.map(({ delivery, result }): Verdict => {
    if ((delivery as RabbitDelivery).generation !== generation || seen.has(result.chunkId)) return "duplicate";
    seen.add(result.chunkId);
    results.push(result);
    return "accepted";
  });
  return { results, verdicts };
}

export async function createRabbitmqWorkerQueue(options: BackendOptions): Promise<WorkerQueue> {
  const link = await AmqpLink.open({
    url: options.url,
    name: `ttg-worker-${options.consumer}`,
    ...(options.heartbeatSeconds ? { heartbeatSeconds: options.heartbeatSeconds } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return new RabbitmqWorkerQueue(link, options);
}
