// Declares the namespace's queues. The arguments depend on the namespace only, never on a run's
// settings: the retry delay travels as per-message `expiration`, so a run with another delay never
// meets PRECONDITION_FAILED on queues an earlier run declared.
import type { Channel } from "amqplib";
import type { RabbitmqNames } from "./rabbitmq-names.ts";

export async function assertTopology(ch: Channel, names: RabbitmqNames): Promise<void> {
  const declare = async (queue: string, options: Parameters<Channel["assertQueue"]>[1]) => {
    try {
      await ch.assertQueue(queue, options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 406) throw error;
      throw new Error(
        `Cannot declare RabbitMQ queue ${queue}: it exists with other arguments (declared by another program?); delete it or use another QUEUE_NAMESPACE`,
        { cause: error },
      );
    }
  };
  await declare(names.tasks, { durable: true });
  // Expired retries go back to the tasks queue through the default exchange.
  await declare(names.retry, { durable: true, deadLetterExchange: "", deadLetterRoutingKey: names.tasks });
  await declare(names.dlq, { durable: true });
  await declare(names.results, { durable: true });
  await declare(names.run, { durable: true });
  // One plan message: a second one (a loader putting back a plan a reader held) pushes the older out.
  await declare(names.plan, { durable: true, arguments: { "x-max-length": 1 } });
  await declare(names.done, { durable: true });
  await declare(names.settled, { durable: true });
  // Only the latest best matters: a new one pushes the older out (overflow drop-head).
  await declare(names.best, { durable: true, arguments: { "x-max-length": 1 } });
}
