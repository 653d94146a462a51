export { createRedisObserver, RedisObserver } from "./redis-observer.ts";
export { createRedisWorkerQueue } from "./redis-worker-queue.ts";
export { redisKeys } from "./redis-keys.ts";
