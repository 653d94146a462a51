// Queue names, all derived from the namespace: "ttg" gives ttg.tasks, ttg.tasks.retry, ttg.tasks.dlq,
// ttg.results (shared by the runs of that namespace) and three small per-run bookkeeping queues.
export type RabbitmqNames = {
  tasks: string;
  retry: string;
  dlq: string;
  results: string;
  /** Exclusive, per connection: held by the one loader allowed to load the run right now. */
  lock: string;
  /** One marker message per committed load batch: the run's durable load progress. */
  run: string;
  /** One marker message per chunk finished (result or dead letter): read by settled(). */
  done: string;
  /** Holds one message once some worker has proven the run settled, so the others need not re-prove it. */
  settled: string;
};

export function rabbitmqNames(namespace: string, runId: string): RabbitmqNames {
  return {
    tasks: `${namespace}.tasks`,
    retry: `${namespace}.tasks.retry`,
    dlq: `${namespace}.tasks.dlq`,
    results: `${namespace}.results`,
    lock: `${namespace}.lock.${runId}`,
    run: `${namespace}.run.${runId}`,
    done: `${namespace}.done.${runId}`,
    settled: `${namespace}.settled.${runId}`,
  };
}

/** The four queues the namespace's runs share (what the monitor shows). */
export function sharedQueues(names: RabbitmqNames): string[] {
  return [names.tasks, names.retry, names.dlq, names.results];
}

/** The run's own bookkeeping queues (what purge() deletes outright). */
export function runQueues(names: RabbitmqNames): string[] {
  return [names.run, names.done, names.settled, names.lock];
}
