// Worker metrics in the Prometheus text format (written by prom-client): the format rules a
// scrape relies on, the worker's counters and histogram, and a real HTTP server on a free port.
import assert from "node:assert/strict";
import { test } from "node:test";
import { register } from "prom-client";
import { serveMetrics } from "../lib/metrics/serve-metrics.ts";
import { WorkerMetrics } from "../lib/metrics/worker-metrics.ts";

/** name{labels} value, as the exposition format allows (our values never carry timestamps). */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;

function sampleValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

void test("every family has HELP and TYPE lines before its samples, and every sample line parses", async () => {
  const m = new WorkerMetrics({ worker: "3", runId: "run-1", backend: "redis" });
  m.chunkStarted();
  m.chunkFinished(0.3, 100);
  const text = await m.render();
  assert.ok(text.endsWith("\n"));
  const lines = text.trimEnd().split("\n").filter((l) => l !== "");
  const names = ["ttg_chunks_completed_total", "ttg_params_processed_total", "ttg_chunk_failures_total", "ttg_chunks_duplicate_total", "ttg_worker_busy", "ttg_chunk_duration_seconds"];
  for (const name of names) {
    const help = lines.findIndex((l) => l.startsWith(`# HELP ${name} `));
    assert.ok(help >= 0, `HELP for ${name}`);
    assert.match(lines[help + 1] ?? "", new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`));
    assert.ok(lines.slice(help + 2).some((l) => l.startsWith(name)), `a sample follows ${name}'s TYPE`);
  }
  for (const line of lines.filter((l) => !l.startsWith("#"))) assert.match(line, SAMPLE_LINE);
  assert.match(text, /^# TYPE ttg_chunk_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE ttg_worker_busy gauge$/m);
  assert.match(text, /^# TYPE ttg_chunks_completed_total counter$/m);
});

void test("counters, the busy gauge and the duration histogram follow chunk events", async () => {
  const m = new WorkerMetrics({ worker: "0", runId: "r", backend: "rabbitmq" }, { buckets: [0.1, 1, 10] });
  const l = `{worker="0",run_id="r",backend="rabbitmq"}`;
  assert.equal(sampleValue(await m.render(), `ttg_worker_busy${l}`), 0);
  m.chunkStarted();
  assert.equal(sampleValue(await m.render(), `ttg_worker_busy${l}`), 1);
  m.chunkFinished(0.05, 10);
  m.chunkStarted();
  m.chunkFinished(1, 10); // on a bound: upper bounds are inclusive
  m.chunkStarted();
  m.chunkFinished(4, 20);
  m.chunkStarted();
  m.chunkFinished(42, 5); // above every bound: only +Inf
  m.chunkStarted();
  m.chunkFailed();
  m.chunkDuplicate();
  m.chunkStarted();
  m.chunkFinished(Number.NaN, 0); // a duration that could not be measured is not observed
  const text = await m.render();
  assert.equal(sampleValue(text, `ttg_worker_busy${l}`), 0);
  assert.equal(sampleValue(text, `ttg_chunks_completed_total${l}`), 5);
  assert.equal(sampleValue(text, `ttg_params_processed_total${l}`), 45);
  assert.equal(sampleValue(text, `ttg_chunk_failures_total${l}`), 1);
  assert.equal(sampleValue(text, `ttg_chunks_duplicate_total${l}`), 1);
  const bucket = (le: string) => sampleValue(text, `ttg_chunk_duration_seconds_bucket{le="${le}",worker="0",run_id="r",backend="rabbitmq"}`);
  assert.deepEqual([bucket("0.1"), bucket("1"), bucket("10"), bucket("+Inf")], [1, 2, 3, 4], "buckets are cumulative");
  assert.equal(sampleValue(text, `ttg_chunk_duration_seconds_count${l}`), 4);
  assert.equal(sampleValue(text, `ttg_chunk_duration_seconds_sum${l}`), 47.05);
  const order = text.split("\n").filter((x) => x.startsWith("ttg_chunk_duration_seconds")).map((x) => x.split(/[{ ]/)[0]);
  assert.deepEqual(order, [...Array(4).fill("ttg_chunk_duration_seconds_bucket"), "ttg_chunk_duration_seconds_sum", "ttg_chunk_duration_seconds_count"]);
});

void test("label values are escaped", async () => {
  const m = new WorkerMetrics({ worker: 'pod "7"\\\n', runId: "a\\b", backend: "redis" });
  const text = await m.render();
  assert.match(text, /^ttg_chunks_completed_total\{worker="pod \\"7\\"\\\\\\n",run_id="a\\\\b",backend="redis"\} 0$/m);
  for (const line of text.trimEnd().split("\n").filter((x) => x !== "" && !x.startsWith("#"))) assert.match(line, SAMPLE_LINE);
});

void test("each worker's metrics have their own registry: two in one process do not mix, and prom-client's global one stays empty", async () => {
  const a = new WorkerMetrics({ worker: "a", runId: "r", backend: "redis" });
  const b = new WorkerMetrics({ worker: "b", runId: "r", backend: "redis" });
  a.chunkStarted();
  a.chunkFinished(0.1, 7);
  assert.equal(sampleValue(await a.render(), `ttg_params_processed_total{worker="a",run_id="r",backend="redis"}`), 7);
  assert.equal(sampleValue(await b.render(), `ttg_params_processed_total{worker="b",run_id="r",backend="redis"}`), 0);
  assert.doesNotMatch(await b.render(), /worker="a"/);
  assert.deepEqual(register.getMetricsAsArray(), []);
});

void test("serveMetrics answers GET /metrics on a free port with the text format, and closes idempotently", async (t) => {
  const m = new WorkerMetrics({ worker: "1", runId: "serve-test", backend: "static" });
  const server = await serveMetrics(m, 0, { host: "127.0.0.1" });
  t.after(() => server.close());
  assert.ok(server.port > 0);
  m.chunkStarted();
  m.chunkFinished(0.2, 50);

  const res = await fetch(server.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const body = await res.text();
  assert.equal(body, await m.render(), "a scrape sees the current values");
  assert.equal(sampleValue(body, `ttg_params_processed_total{worker="1",run_id="serve-test",backend="static"}`), 50);

  const missing = await fetch(`http://127.0.0.1:${server.port}/other`);
  assert.equal(missing.status, 404);
  await missing.text();
  const post = await fetch(server.url, { method: "POST" });
  assert.equal(post.status, 405);
  await post.text();

  await Promise.all([server.close(), server.close()]);
  await assert.rejects(fetch(server.url), "nothing listens after close");
});

void test("serveMetrics on a port in use fails with a message naming the port", async (t) => {
  const first = await serveMetrics({ contentType: "text/plain", render: () => "" }, 0, { host: "127.0.0.1" });
  t.after(() => first.close());
  await assert.rejects(serveMetrics({ contentType: "text/plain", render: () => "" }, first.port, { host: "127.0.0.1" }), new RegExp(`^Error: Cannot serve metrics on port ${first.port}: .*EADDRINUSE`));
});
