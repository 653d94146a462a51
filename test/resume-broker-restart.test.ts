// Resume (docs/operations.md "Interrupted runs") after a broker restart: a demo on a private redis-server (AOF on, its own folder and
// port) is SIGKILLed with its workers at ~40 % and the redis-server is SIGKILLed too; the server is
// started again on the same folder and port, and `demo.ts --resume` finishes the run from what the
// AOF kept: exit 0, PASS, every parameter once, the sum of a static run. Only the processes this
// test started are stopped.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { startPrivateRedis, type RedisServer } from "../lib/backends/redis/local-redis.ts";
import { runDemo, startDemo } from "./helpers/demo-process.ts";
import { atFortyPercent, checkResumed, setUp, staticSum } from "./helpers/resume-suite.ts";

test("redis: demo, workers and redis-server SIGKILLed at ~40 %, redis-server restarted, --resume finishes the run", async (t) => {
  let redis: RedisServer = await startPrivateRedis();
  const { port, dir } = redis;
  t.after(async () => {
    await redis.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const s = setUp(t, "redis", "resume-restart", redis.url);
  const demo = startDemo(s.args, { env: s.env });
  t.after(() => demo.kill());
  await atFortyPercent(demo, s.evalLog);
  demo.kill();
  process.kill(redis.pid as number, "SIGKILL");
  await redis.stop({ keepDir: true });
  await demo.finished(10_000);

  redis = await startPrivateRedis({ port, dir });
  const resumed = runDemo(["--resume", s.runId, "--reports", s.reports, "--yes"], { env: s.env, timeoutMs: 60_000 });
  const report = checkResumed(t, s, resumed);
  assert.ok(report.timeline.some((e) => e.event === "interrupted"), "the interruption is on the timeline");
  assert.equal(report.aggregate.sum, staticSum(s), "the sum of a static run of the same size");
});
