// The Redis Streams backend's entry, loaded on demand by open-backend.ts (ioredis only when used).
export { createRedisObserver } from "./redis-observer.ts";
export { createRedisWorkerQueue } from "./redis-worker-queue.ts";
