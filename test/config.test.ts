import assert from "node:assert/strict";
import { test } from "node:test";
import { readWorkerConfig } from "../lib/config/worker-config.ts";
import { workerEnvFromEnvironment } from "../lib/config/worker-env-passthrough.ts";

test("defaults follow the original where they are safe", () => {
  const c = readWorkerConfig({});
  assert.equal(c.workerId, "0");
  assert.equal(c.totalWorkers, 3);
  assert.equal(c.totalParameters, 10000);
  assert.equal(c.chunkSize, 100);
  assert.equal(c.progressEveryParams, 500);
  assert.equal(c.queueMode, false);
  assert.equal(c.queueBackend, "redis");
  assert.equal(c.redisUrl, "redis://ttg-redis:6379");
  assert.equal(c.amqpUrl, "amqp://ttg-rabbitmq:5672");
  assert.equal(c.idleNoticeEveryMs, 30_000);
  assert.equal(c.idleProbeMs, 2000);
  assert.ok(c.staleThresholdMs <= 2000, "a killed worker must cost seconds, not a minute");
});

test("JOB_COMPLETION_INDEX is the worker id of an Indexed Job unless WORKER_ID is set", () => {
  assert.equal(readWorkerConfig({ JOB_COMPLETION_INDEX: "2" }).workerId, "2");
  assert.equal(readWorkerConfig({ JOB_COMPLETION_INDEX: "2", WORKER_ID: "1" }).workerId, "1");
});

test("a bad value names the variable and what it accepts", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ IDLE_TIMEOUT_SECONDS: "banana" }, /Invalid IDLE_TIMEOUT_SECONDS="banana": expected a number >= 0\.$/],
    [{ TOTAL_WORKERS: "0" }, /TOTAL_WORKERS="0": expected an integer from 1/],
    [{ QUEUE_BACKEND: "kafka" }, /QUEUE_BACKEND="kafka": expected one of redis, rabbitmq/],
    [{ SIMULATE_FAULT_RATE: "1.5" }, /SIMULATE_FAULT_RATE="1.5": expected a number from 0 to 1/],
    [{ QUEUE_MODE: "maybe" }, /QUEUE_MODE="maybe": expected true or false/],
    [{ LOG_FORMAT: "xml" }, /LOG_FORMAT="xml"/],
    [{ REDIS_PORT: "70000" }, /REDIS_PORT="70000"/],
    [{ WORKER_ID: "5", TOTAL_WORKERS: "3" }, /WORKER_ID="5": expected an integer from 0 to TOTAL_WORKERS-1 \(2\)/],
  ];
  for (const [env, message] of cases) assert.throws(() => readWorkerConfig(env), message);
});

test("REDIS_URL, REDIS_PASSWORD and AMQP_URL override host and port", () => {
  const c = readWorkerConfig({ REDIS_URL: "redis://r:7000/2", AMQP_URL: "amqp://u:p@q:5673/v" });
  assert.equal(c.redisUrl, "redis://r:7000/2");
  assert.equal(c.amqpUrl, "amqp://u:p@q:5673/v");
  const p = readWorkerConfig({ REDIS_HOST: "h", REDIS_PASSWORD: "s3cret", RABBITMQ_USER: "ttg", RABBITMQ_PASSWORD: "pw" });
  assert.equal(p.redisUrl, "redis://:s3cret@h:6379");
  assert.equal(p.amqpUrl, "amqp://ttg:pw@ttg-rabbitmq:5672");
});

test("worker variables in a script's environment pass through validated, identity excluded", () => {
  assert.deepEqual(workerEnvFromEnvironment({ SIMULATE_WORK_MS: "3", WORKER_ID: "9", HOME: "/root" }), {
    SIMULATE_WORK_MS: "3",
  });
  assert.throws(() => workerEnvFromEnvironment({ CHUNK_SIZE: "x" }), /Invalid CHUNK_SIZE="x"/);
});
