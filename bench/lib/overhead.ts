// Overhead: zero-work chunks per second end to end (load, deliver, compute nothing, accept, ack) with
// 1, 2 and 4 real worker processes, beside the raw broker limit measured in the same run with the
// same client library, and probes of the per-chunk path that say where the difference goes.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { backendLoopRate, computeHopMicros } from "./hot-path-probes.ts";
import { newNamespace } from "./namespace.ts";
import type { Say } from "./progress.ts";
import { runQueueSweep } from "./queue-sweep.ts";
import { measureAmqpConsumePublish, measureRawAmqp } from "./raw-amqp-limit.ts";
import { measureRawRedis } from "./raw-redis-limit.ts";
import type { Maybe } from "./bench-model.ts";
import { measureBullmqPeer, type PeerFigure, type PeerPlan } from "./bullmq-peer.ts";
import { median, roundSummary, sig, summarize, type Summary } from "./stats.ts";
import { WORKER_VARIABLES } from "../../lib/config/worker-variables.ts";

/** The loop probe's batch: the largest a worker takes by default (MAX_BATCH_CHUNKS). */
const LOOP_BATCH = Number(WORKER_VARIABLES.MAX_BATCH_CHUNKS.default);

export type EndToEnd = {
  workers: number;
  /**
   * Chunks per second once every worker had taken its first batch, to the last result: all N
   * workers running, none still starting (short runs would otherwise mix in later workers' start-up).
   */
  chunksPerSecond: Summary;
  /** Chunks / (first worker spawned -> last result): start-up counted. */
  chunksPerSecondWithStartup: Summary;
  ratioToRawLimit: number;
  /** Cores used on average while the chunks ran (medians over trials): workers, the bench as coordinator, everything else (the broker). */
  cores: { workers: number; coordinator: number; other: number } | null;
};

export type OverheadResult = {
  chunks: number;
  rawLimit: {
    method: string;
    oneConsumer: Summary;
    fourConsumers: Summary;
    /** The better of the two medians: the figure end-to-end throughput is compared with. */
    limitPerSecond: number;
    /** One entry per read and per ack (how TTG's workers use the broker): the round-trip cost. */
    perMessageMethod: string;
    perMessage: Summary;
  };
  endToEnd: EndToEnd[];
  /** Redis: the same zero-work job through BullMQ in the same run, and TTG's best end-to-end rate over its best (optional). */
  peer?: Maybe<PeerFigure & { ttgRatio: number }>;
  profile: {
    /** The batch the loop probe takes: the workers' default largest batch. */
    loopBatch: number;
    /** Chunks/s through the real WorkerQueue in one process, `loopBatch` at a time, nothing computed, no logs, no thread. */
    backendLoop: Summary;
    /** The same, one chunk at a time: what a chunk too long to share its batch pays. */
    backendLoopSingle: Summary;
    /** Fixed cost of a chunk taken alone (broker round trips + compute hop), ms: what chunk sizing weighs. */
    singleChunkMs: number;
    computeHopMicros: Summary;
    /** 1 worker process with LOG_LEVEL=WARNING: no per-chunk log lines. */
    quietLogsOneWorker: Summary;
    /** RabbitMQ: consume at prefetch 1 + N confirmed publishes + ack, msg/s (what complete() waits for). */
    confirmedPublishes?: { label: string; perSecond: Summary }[];
    /** Milliseconds per chunk attributed to each part, for 1 worker (medians), batches included. */
    perChunkMs: { total: number; broker: number; computeHop: number; logLines: number; rest: number };
  };
};

async function rawLimit(backend: BackendName, url: string, messages: number, batched: boolean, consumers: number): Promise<number> {
  const ns = newNamespace("raw").namespace;
  const r =
    backend === "redis"
      ? await measureRawRedis(url, ns, { messages, batch: batched ? 200 : 1, consumers })
      : await measureRawAmqp(url, ns, { messages, prefetch: batched ? 1000 : 1, consumers });
  return r.perSecond;
}

export async function measureOverhead(backend: BackendName, url: string, plan: BenchPlan["overhead"], say: Say): Promise<OverheadResult> {
  const trials = plan.trials;
  const chunks = plan.chunks[backend];
  const raw1: number[] = [];
  const raw4: number[] = [];
  const rawOne: number[] = [];
  const messages = plan.rawMessages[backend];
  for (let t = 0; t < trials; t++) {
    raw1.push(await rawLimit(backend, url, messages, true, 1));
    raw4.push(await rawLimit(backend, url, messages, true, 4));
    rawOne.push(await rawLimit(backend, url, plan.rawOneAtATimeMessages, false, 1));
    say(`${backend} raw limit trial ${t + 1}/${trials}: ${Math.round(raw1.at(-1) ?? 0)}/s (1 consumer), ${Math.round(raw4.at(-1) ?? 0)}/s (4), ${Math.round(rawOne.at(-1) ?? 0)}/s one at a time`);
  }
  const oneConsumer = summarize(raw1);
  const fourConsumers = summarize(raw4);
  const limit = Math.max(oneConsumer.median, fourConsumers.median);

  const endToEnd: EndToEnd[] = [];
  for (const workers of plan.workers) {
    const steady: number[] = [];
    const withStartup: number[] = [];
    const shares: { workers: number[]; coordinator: number[]; other: number[] } = { workers: [], coordinator: [], other: [] };
    for (let t = 0; t < trials; t++) {
      const timing = await runQueueSweep({ backend, url, params: chunks, chunkSize: 1, label: `ovh${workers}` }, workers, 180_000);
      const all = timing.allRunning;
      steady.push(all && all.seconds > 0 ? all.chunks / all.seconds : timing.chunks / timing.steadySeconds);
      withStartup.push(timing.chunks / timing.wallSeconds);
      if (timing.cpu) {
        shares.workers.push(timing.cpu.workerCores);
        shares.coordinator.push(timing.cpu.coordinatorCores);
        shares.other.push(timing.cpu.otherCores);
      }
      say(`${backend} end to end, ${workers} worker(s), trial ${t + 1}/${trials}: ${Math.round(steady.at(-1) ?? 0)} chunks/s (${Math.round(withStartup.at(-1) ?? 0)} with start-up)`);
    }
    const s = summarize(steady);
    const cores = shares.workers.length > 0 ? { workers: sig(median(shares.workers), 3), coordinator: sig(median(shares.coordinator), 3), other: sig(median(shares.other), 3) } : null;
    endToEnd.push({ workers, chunksPerSecond: roundSummary(s), chunksPerSecondWithStartup: roundSummary(summarize(withStartup)), ratioToRawLimit: sig(s.median / limit, 3), cores });
  }

  const loop: number[] = [];
  const single: number[] = [];
  const hop: number[] = [];
  const quiet: number[] = [];
  for (let t = 0; t < trials; t++) {
    loop.push(await backendLoopRate(backend, url, plan.loopChunks[backend], LOOP_BATCH));
    single.push(await backendLoopRate(backend, url, plan.singleLoopChunks[backend], 1));
    hop.push(await computeHopMicros(2000));
    const timing = await runQueueSweep({ backend, url, params: chunks, chunkSize: 1, label: "quiet", env: { LOG_LEVEL: "WARNING" } }, 1, 180_000);
    quiet.push(timing.chunks / timing.steadySeconds);
    say(`${backend} hot-path probes trial ${t + 1}/${trials}: backend loop ${Math.round(loop.at(-1) ?? 0)} chunks/s in batches of ${LOOP_BATCH}, ${Math.round(single.at(-1) ?? 0)} one at a time, compute hop ${Math.round(hop.at(-1) ?? 0)} µs, 1 worker without per-chunk logs ${Math.round(quiet.at(-1) ?? 0)} chunks/s`);
  }
  const confirmed = backend === "rabbitmq" && plan.publishProbes ? await confirmedPublishCosts(url, trials, say) : undefined;
  const backendLoop = summarize(loop);
  const hopMicros = summarize(hop);
  const quietOne = summarize(quiet);
  const oneWorker = endToEnd.find((e) => e.workers === 1)?.chunksPerSecond.median ?? Number.NaN;
  const peer = backend === "redis" ? await peerBeside(url, plan.peer, Math.max(...endToEnd.map((e) => e.chunksPerSecond.median)), say) : undefined;
  return {
    chunks,
    ...(peer ? { peer } : {}),
    rawLimit: {
      method: backend === "redis" ? "XREADGROUP COUNT 200 + one XACK per batch (ioredis)" : "basic.consume, prefetch 1000, ack per message (amqplib)",
      oneConsumer: roundSummary(oneConsumer),
      fourConsumers: roundSummary(fourConsumers),
      limitPerSecond: sig(limit),
      perMessageMethod: backend === "redis" ? "XREADGROUP COUNT 1 + XACK per entry" : "basic.consume, prefetch 1",
      perMessage: roundSummary(summarize(rawOne)),
    },
    endToEnd,
    profile: {
      loopBatch: LOOP_BATCH,
      backendLoop: roundSummary(backendLoop),
      backendLoopSingle: roundSummary(summarize(single)),
      singleChunkMs: sig(1000 / median(single) + hopMicros.median / 1000, 3),
      computeHopMicros: roundSummary(hopMicros),
      quietLogsOneWorker: roundSummary(quietOne),
      ...(confirmed ? { confirmedPublishes: confirmed } : {}),
      perChunkMs: attributeCost(oneWorker, backendLoop.median, hopMicros.median / LOOP_BATCH, quietOne.median),
    },
  };
}

async function confirmedPublishCosts(url: string, trials: number, say: Say): Promise<{ label: string; perSecond: Summary }[]> {
  const shapes = [
    { label: "ack only (no publish)", publishes: 0, persistent: true },
    { label: "1 persistent confirmed publish, then ack", publishes: 1, persistent: true },
    { label: "2 persistent confirmed publishes (result + done marker), then ack", publishes: 2, persistent: true },
    { label: "2 transient confirmed publishes, then ack", publishes: 2, persistent: false },
  ];
  const out: { label: string; perSecond: Summary }[] = [];
  for (const shape of shapes) {
    const rates: number[] = [];
    for (let t = 0; t < trials; t++) rates.push((await measureAmqpConsumePublish(url, newNamespace("pub").namespace, { messages: 600, ...shape })).perSecond);
    say(`rabbitmq probe, prefetch 1 + ${shape.label}: ${Math.round(median(rates))} msg/s`);
    out.push({ label: shape.label, perSecond: roundSummary(summarize(rates)) });
  }
  return out;
}

/** Splits one worker's per-chunk time into the broker path, the compute hop, log lines and the rest. */
export function attributeCost(e2ePerSecond: number, loopPerSecond: number, hopMicros: number, quietPerSecond: number) {
  const total = 1000 / e2ePerSecond;
  const broker = 1000 / loopPerSecond;
  const computeHop = hopMicros / 1000;
  const logLines = Math.max(0, total - 1000 / quietPerSecond);
  const rest = total - broker - computeHop - logLines;
  return { total: sig(total, 3), broker: sig(broker, 3), computeHop: sig(computeHop, 3), logLines: sig(logLines, 3), rest: sig(rest, 3) };
}

/** The BullMQ peer beside TTG's best, or why it was not measured (bullmq is a devDependency of the bench only). */
async function peerBeside(url: string, plan: PeerPlan, ttgBest: number, say: Say): Promise<Maybe<PeerFigure & { ttgRatio: number }>> {
  try {
    const figure = await measureBullmqPeer(url, plan, say);
    return { ...figure, ttgRatio: sig(ttgBest / figure.bestPerSecond, 3) };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? String(error);
    say(`bullmq peer not measured: ${message}`);
    return { unavailable: /Cannot find (package|module) 'bullmq'/.test(message) ? "bullmq is not installed (npm install -D bullmq)" : `failed: ${message}` };
  }
}
