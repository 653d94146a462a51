// Worker metrics in the Prometheus text format: the renderer's format rules, the worker's
// counters and histogram, and a real HTTP server on a free port.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Histogram } from "../lib/metrics/histogram.ts";
import { escapeLabelValue, PROMETHEUS_CONTENT_TYPE, renderPrometheusText } from "../lib/metrics/prometheus-text.ts";
import { serveMetrics } from "../lib/metrics/serve-metrics.ts";
import { WorkerMetrics } from "../lib/metrics/worker-metrics.ts";

/** name{labels} value, as the exposition format allows (our values never carry timestamps). */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;

function sampleValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

void test("every family has HELP and TYPE lines before its samples, and every sample line parses", () => {
  const m = new WorkerMetrics({ worker: "3", runId: "run-1", backend: "redis" });
  m.chunkStarted();
  m.chunkFinished(0.3, 100);
  const text = m.render();
  assert.ok(text.endsWith("\n"));
  const lines = text.trimEnd().split("\n");
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

void test("counters, the busy gauge and the duration histogram follow chunk events", () => {
  const m = new WorkerMetrics({ worker: "0", runId: "r", backend: "rabbitmq" }, { buckets: [0.1, 1, 10] });
  const l = `{worker="0",run_id="r",backend="rabbitmq"}`;
  assert.equal(sampleValue(m.render(), `ttg_worker_busy${l}`), 0);
  m.chunkStarted();
  assert.equal(sampleValue(m.render(), `ttg_worker_busy${l}`), 1);
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
  const text = m.render();
  assert.equal(sampleValue(text, `ttg_worker_busy${l}`), 0);
  assert.equal(sampleValue(text, `ttg_chunks_completed_total${l}`), 4);
  assert.equal(sampleValue(text, `ttg_params_processed_total${l}`), 45);
  assert.equal(sampleValue(text, `ttg_chunk_failures_total${l}`), 1);
  assert.equal(sampleValue(text, `ttg_chunks_duplicate_total${l}`), 1);
  const bucket = (le: string) => sampleValue(text, `ttg_chunk_duration_seconds_bucket{worker="0",run_id="r",backend="rabbitmq",le="${le}"}`);
  assert.deepEqual([bucket("0.1"), bucket("1"), bucket("10"), bucket("+Inf")], [1, 2, 3, 4], "buckets are cumulative");
  assert.equal(sampleValue(text, `ttg_chunk_duration_seconds_count${l}`), 4);
  assert.equal(sampleValue(text, `ttg_chunk_duration_seconds_sum${l}`), 47.05);
  const order = text.split("\n").filter((x) => x.startsWith("ttg_chunk_duration_seconds")).map((x) => x.split(/[{ ]/)[0]);
  assert.deepEqual(order, [...Array(4).fill("ttg_chunk_duration_seconds_bucket"), "ttg_chunk_duration_seconds_sum", "ttg_chunk_duration_seconds_count"]);
});

void test("label values and HELP text are escaped", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const text = renderPrometheusText([
    { type: "counter", name: "x_total", help: "back\\slash and\nnewline", samples: [{ labels: { worker: 'pod "7"\\\n' }, value: 2 }] },
  ]);
  assert.equal(text, '# HELP x_total back\\\\slash and\\nnewline\n# TYPE x_total counter\nx_total{worker="pod \\"7\\"\\\\\\n"} 2\n');
  const m = new WorkerMetrics({ worker: 'w"1', runId: "a\\b", backend: "redis" });
  for (const line of m.render().trimEnd().split("\n").filter((x) => !x.startsWith("#"))) assert.match(line, SAMPLE_LINE);
});

void test("special values and bad label names and buckets", () => {
  const text = renderPrometheusText([
    { type: "gauge", name: "g", help: "h", samples: [{ labels: {}, value: Number.POSITIVE_INFINITY }, { labels: { a: "1" }, value: Number.NaN }] },
  ]);
  assert.equal(text, "# HELP g h\n# TYPE g gauge\ng +Inf\ng{a=\"1\"} NaN\n");
  assert.throws(() => renderPrometheusText([{ type: "gauge", name: "g", help: "h", samples: [{ labels: { "bad-name": "1" }, value: 1 }] }]), /Cannot render label "bad-name"/);
  assert.throws(() => new Histogram([1, 1, 2]), /strictly increasing/);
  assert.throws(() => new Histogram([]), /strictly increasing/);
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
  assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  const body = await res.text();
  assert.equal(body, m.render(), "a scrape sees the current values");
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
  const first = await serveMetrics({ render: () => "" }, 0, { host: "127.0.0.1" });
  t.after(() => first.close());
  await assert.rejects(serveMetrics({ render: () => "" }, first.port, { host: "127.0.0.1" }), new RegExp(`^Error: Cannot serve metrics on port ${first.port}: .*EADDRINUSE`));
});
