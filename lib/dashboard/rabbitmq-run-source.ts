// A RabbitMQ run read by the dashboard through the passive paths only: queue depths (passive
// declares), the plan and done markers read and put back, dead letters fetched and put back. Its
// results are not read: on RabbitMQ reading a result takes it from the run's coordinator.
import { AmqpLink } from "../backends/rabbitmq/amqp-link.ts";
import { peekDeadLetters } from "../backends/rabbitmq/peek-dead-letters.ts";
import { rabbitmqNames } from "../backends/rabbitmq/rabbitmq-names.ts";
import { createRabbitmqObserver } from "../backends/rabbitmq/rabbitmq-observer.ts";
import { rabbitmqRunState } from "../backends/rabbitmq/rabbitmq-run-states.ts";
import { passiveObserverOptions, type RunSource, type SourceOptions } from "./run-source.ts";

const DEAD_LETTERS_SHOWN = 200;

const NOTES = [
  "RabbitMQ: chunks done per worker and chunks in flight by worker come from the run's results, which only its coordinator may read (reading one here would take it away): the report has them once the run is over. The best values so far are the ones its coordinator publishes.",
  "RabbitMQ: dead letters a coordinator holds for inspection are counted by it, not here; this page lists those waiting in the dead-letter queue.",
];

export async function openRabbitmqRunSource(o: SourceOptions): Promise<RunSource> {
  const observer = await createRabbitmqObserver(passiveObserverOptions(o));
  let link: AmqpLink;
  try {
    link = await AmqpLink.open({ url: o.url, name: "ttg-dashboard", connectTimeoutMs: 3_000 });
  } catch (error) {
    await observer.close();
    throw error;
  }
  const names = rabbitmqNames(o.namespace, o.runId);
  let deadSeen = -1;
  return {
    notes: NOTES,
    async read() {
      const plan = await observer.describeRun?.();
      if (!plan) return undefined;
      const stats = await observer.stats();
      const state = await rabbitmqRunState(link, o.namespace, o.runId, []);
      const deadChanged = stats.deadLettered !== deadSeen;
      deadSeen = stats.deadLettered;
      const deadLetters = deadChanged ? await peekDeadLetters(link, names.dlq, o.runId, DEAD_LETTERS_SHOWN) : undefined;
      return { plan, stats, state, consumers: [], inFlight: [], results: [], ...(deadLetters ? { deadLetters } : {}) };
    },
    async close() {
      await observer.close().catch(() => undefined);
      await link.close().catch(() => undefined);
    },
  };
}
