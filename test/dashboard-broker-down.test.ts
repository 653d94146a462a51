// The dashboard while its broker restarts (a private redis-server, killed and started again on the
// same port and data): the run page keeps the last figures and says the broker is unreachable, the
// run list says it is retried, and both recover by themselves. Over HTTP the API refuses writes.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openRunObserver } from "../lib/backends/open-backend.ts";
import { startPrivateRedis } from "../lib/backends/redis/local-redis.ts";
import { DashboardData } from "../lib/dashboard/dashboard-data.ts";
import { serveDashboard } from "../lib/dashboard/dashboard-server.ts";
import { testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { waitFor, within } from "./helpers/wait-for.ts";

test("a Redis restart: the dashboard says 'broker unreachable, retrying', keeps the last figures and recovers", { timeout: 90_000 }, async (t) => {
  const first = await startPrivateRedis();
  let server = first;
  const reports = await mkdtemp(join(tmpdir(), "ttg-dash-down-"));
  const namespace = testNamespace();
  const runId = uniqueRunId("down");
  const data = new DashboardData({ targets: [{ backend: "redis", url: first.url, namespace }], reportsDir: reports, runEveryMs: 0, listEveryMs: 0 });
  t.after(async () => {
    await data.close();
    await server.stop();
    await rm(reports, { recursive: true, force: true });
  });
  const loader = await openRunObserver("redis", { url: first.url, namespace, runId, consumer: "loader", maxDeliveries: 3, retryDelayMs: 100, staleThresholdMs: 1000, staleCheckIntervalMs: 100 });
  await loader.ensureLoaded({ runId, totalParameters: 100, chunkSize: 10, totalChunks: 10 });
  await loader.close();

  const up = await data.run("redis", runId);
  assert.deepEqual([up?.source, up?.error, up?.progress.totalChunks, up?.progress.waiting], ["broker", null, 10, 10]);

  await first.stop({ keepDir: true });
  const down = await within(data.run("redis", runId), 20_000, "a run reading while Redis is down");
  assert.ok(down?.error, "the page says the broker does not answer");
  assert.deepEqual([down?.source, down?.progress.totalChunks], ["broker", 10], "the last figures stay");
  const list = await within(data.runs(), 20_000, "the run list while Redis is down");
  assert.equal(list.brokers[0]?.reachable, false);
  assert.match(list.brokers[0]?.error ?? "", /^broker unreachable, retrying: /);

  server = await startPrivateRedis({ port: first.port, dir: first.dir });
  const back = await waitFor(async () => {
    const d = await data.run("redis", runId);
    return d?.error === null && d.source === "broker" ? d : undefined;
  }, "the run page to recover after Redis is back", 30_000, 200);
  assert.equal(back.progress.totalChunks, 10);
  const listed = await data.runs();
  assert.deepEqual(listed.brokers[0]?.runs.map((r) => r.runId), [runId]);
});

test("the HTTP layer serves the page and the JSON, and refuses to change anything", async (t) => {
  const reports = await mkdtemp(join(tmpdir(), "ttg-dash-http-"));
  const dashboard = await serveDashboard(new DashboardData({ targets: [], reportsDir: reports }), { host: "127.0.0.1", port: 0 });
  t.after(async () => {
    await dashboard.close();
    await rm(reports, { recursive: true, force: true });
  });
  assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await fetch(dashboard.url);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(await page.text(), /<script src="\/app.js"/);
  assert.deepEqual(await (await fetch(`${dashboard.url}api/reports`)).json(), []);
  assert.equal((await fetch(`${dashboard.url}api/runs/redis/x`)).status, 404, "a backend it does not watch");
  assert.equal((await fetch(`${dashboard.url}api/reports/nope`)).status, 404);
  assert.equal((await fetch(`${dashboard.url}api/runs`, { method: "POST" })).status, 405);
  assert.equal((await fetch(`${dashboard.url}api/reports/..%2F..%2Fetc/files/passwd.json`)).status, 404);
});
