// The RabbitMQ backend (M3): durable <ns>.tasks / .tasks.retry / .tasks.dlq / .results, manual acks,
// prefetch = the batch a worker asks for, publisher confirms, short heartbeats, reconnects.
export { createRabbitmqObserver, RabbitmqObserver } from "./rabbitmq-observer.ts";
export { createRabbitmqWorkerQueue, RabbitmqWorkerQueue } from "./rabbitmq-worker-queue.ts";
export { rabbitmqNames, type RabbitmqNames } from "./rabbitmq-names.ts";
export { ensureLocalRabbitmq, startPrivateRabbitmq, type LocalRabbitmq } from "./local-rabbitmq.ts";
