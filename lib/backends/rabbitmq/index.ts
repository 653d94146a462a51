// The RabbitMQ backend's entry, loaded on demand by open-backend.ts (amqplib only when used):
// durable <ns>.tasks / .tasks.retry / .tasks.dlq / .results per run, manual acks, prefetch = the
// batch a worker asks for, publisher confirms, short heartbeats, reconnects.
export { createRabbitmqObserver } from "./rabbitmq-observer.ts";
export { createRabbitmqWorkerQueue } from "./rabbitmq-worker-queue.ts";
