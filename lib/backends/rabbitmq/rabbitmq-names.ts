// A run's queues: the original's names plus the run id (ttg.tasks.<run>, ttg.tasks.retry.<run>,
// ttg.tasks.dlq.<run>, ttg.results.<run>) and six small bookkeeping queues. Every queue belongs to
// exactly one run; run ids that would make one run's task queue another's retry or dead-letter
// queue ("retry.x", "dlq.x") are refused by the run-id rule (lib/config/run-id.ts).
import { isRunId } from "../../config/run-id.ts";

export type RabbitmqNames = {
  tasks: string;
  retry: string;
  dlq: string;
  results: string;
  /** Exclusive, per connection: held by the one loader allowed to load the run right now. */
  lock: string;
  /** One marker message per committed load batch: the run's durable load progress. */
  run: string;
  /** The run's plan, one message (x-max-length 1), published with the first batch: read it without hiding a batch marker. */
  plan: string;
  /** One marker message per chunk finished (result or dead letter): read by settled(). */
  done: string;
  /** Holds one message once some worker has proven the run settled, so the others need not re-prove it. */
  settled: string;
  /** At most one message (x-max-length 1): the coordinator's best points so far, for the monitor. */
  best: string;
};

export function rabbitmqNames(namespace: string, runId: string): RabbitmqNames {
  return {
    tasks: `${namespace}.tasks.${runId}`,
    retry: `${namespace}.tasks.retry.${runId}`,
    dlq: `${namespace}.tasks.dlq.${runId}`,
    results: `${namespace}.results.${runId}`,
    lock: `${namespace}.lock.${runId}`,
    run: `${namespace}.run.${runId}`,
    plan: `${namespace}.plan.${runId}`,
    done: `${namespace}.done.${runId}`,
    settled: `${namespace}.settled.${runId}`,
    best: `${namespace}.best.${runId}`,
  };
}

/** The run's four data queues, named as the original's (what the monitor shows). */
function dataQueues(names: RabbitmqNames): string[] {
  return [names.tasks, names.retry, names.dlq, names.results];
}

/** Every queue of the run (what removing the run deletes). */
export function allRunQueues(names: RabbitmqNames): string[] {
  return [...dataQueues(names), names.run, names.plan, names.done, names.settled, names.best, names.lock];
}

/** The queues every run of a namespace shared before runs were isolated (removed by cleanup). */
export function legacyQueues(namespace: string): string[] {
  return ["tasks", "tasks.retry", "tasks.dlq", "results"].map((q) => `${namespace}.${q}`);
}

export type QueueOwner = { kind: "run"; runId: string } | { kind: "legacy" };

// Longest prefixes first: "tasks.retry.x" is run x's retry queue ("retry.x" is no run id).
const RUN_PREFIXES = ["tasks.retry.", "tasks.dlq.", "tasks.", "results.", "lock.", "run.", "plan.", "done.", "settled.", "best."] as const;

/** Whose a queue of the namespace is: one run's, the old shared layout's, or not TTG's (undefined). */
export function queueOwner(name: string, namespace: string): QueueOwner | undefined {
  if (legacyQueues(namespace).includes(name)) return { kind: "legacy" };
  if (!name.startsWith(`${namespace}.`)) return undefined;
  const rest = name.slice(namespace.length + 1);
  for (const prefix of RUN_PREFIXES) {
    if (!rest.startsWith(prefix)) continue;
    const runId = rest.slice(prefix.length);
    return isRunId(runId) ? { kind: "run", runId } : undefined;
  }
  return undefined;
}
