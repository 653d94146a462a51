// The runs of a RabbitMQ namespace with their state (run-listing.ts), from their queues: active while
// the coordinator consumes the results queue or a loader holds the run's lock (even once settled),
// finished once a worker left the settled marker, active while a worker consumes the task queue;
// abandoned otherwise. A coordinator starts consuming results as soon as it has loaded the run.
import type { BrokerItem } from "../purge-types.ts";
import { decideState, runStates, type RunListing } from "../run-listing.ts";
import { onChannel } from "./on-channel.ts";
import { isResourceLocked, type AmqpLink } from "./amqp-link.ts";
import { queueOwner, rabbitmqNames } from "./rabbitmq-names.ts";
import { lookUpPlan } from "./run-loader.ts";
import { readDoneMarkers } from "./run-progress.ts";

type Depth = { messages: number; consumers: number } | "locked" | undefined;

export async function rabbitmqRunStates(link: AmqpLink, namespace: string, items: readonly BrokerItem[]): Promise<{ runs: RunListing[]; legacy: BrokerItem[] }> {
  return runStates(items, (name) => queueOwner(name, namespace), (runId, objects) => rabbitmqRunState(link, namespace, runId, objects));
}

export async function rabbitmqRunState(link: AmqpLink, namespace: string, runId: string, objects: BrokerItem[]): Promise<RunListing> {
  const names = rabbitmqNames(namespace, runId);
  const depth = (queue: string) => onChannel(() => link.openChannel(), (ch) => ch.checkQueue(queue)).then(
    (q): Depth => ({ messages: q.messageCount, consumers: q.consumerCount }),
    (error: unknown): Depth => (isResourceLocked(error) ? "locked" : undefined),
  );
  const [tasks, results, settled, done, dlq, lock] = [await depth(names.tasks), await depth(names.results), await depth(names.settled), await depth(names.done), await depth(names.dlq), await depth(names.lock)];
  const plan = await lookUpPlan(link, names);
  const consumers = (d: Depth) => (typeof d === "object" ? d.consumers : 0);
  const watchedBecause = consumers(results) > 0 ? "its coordinator is reading results" : lock !== undefined ? "a loader is loading it" : undefined;
  const activeBecause = consumers(tasks) > 0 ? `${consumers(tasks)} worker(s) consuming` : undefined;
  const markers = typeof done === "object" ? done.messages : 0;
  const read = markers > 0 ? await readDoneMarkers(link, names, markers).catch(() => undefined) : undefined;
  const deadLettered = typeof dlq === "object" ? dlq.messages : undefined;
  const decided = decideState({
    ...(plan ? { totalChunks: plan.totalChunks } : {}),
    ...(read ? { finishedChunks: read.finished.size } : {}),
    settled: typeof settled === "object" && settled.messages > 0,
    ...(watchedBecause ? { watchedBecause } : {}),
    ...(activeBecause ? { activeBecause } : {}),
    idleWhy: "nobody consumes its queues",
  });
  return {
    backend: "rabbitmq",
    namespace,
    runId,
    ...decided,
    ...(plan?.at ? { createdAt: plan.at } : {}),
    ...(plan ? { totalChunks: plan.totalChunks } : {}),
    ...(read ? { chunksDone: read.results.size } : markers === 0 ? { chunksDone: 0 } : {}),
    ...(deadLettered === undefined ? {} : { deadLettered }),
    objects,
  };
}
