// The dashboard's data layer without a server: the view-models are pure functions of what the
// brokers and report files say; report pages and files come from a real reports folder.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ChunkResult } from "../lib/backends/backend.ts";
import { CachedReading } from "../lib/dashboard/cached-reading.ts";
import { renderReportHtml } from "../lib/dashboard/render-report-html.ts";
import { reportFile, reportHistory, reportPage } from "../lib/dashboard/report-history.ts";
import { ResultDigest } from "../lib/dashboard/result-digest.ts";
import { bestOfPoints, runDetailModel } from "../lib/dashboard/run-detail-model.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { runListModel } from "../lib/dashboard/run-list-model.ts";
import { exposureWarning } from "../lib/dashboard/start-dashboard.ts";
import { liveWorkers, reportWorkers } from "../lib/dashboard/worker-rows.ts";
import { deriveView } from "../lib/monitor/monitor-view.ts";
import { writeReport } from "../lib/report/write-report.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

function result(chunkId: number, worker: string, finishedMs: number, min: number, max: number): ChunkResult {
  const start = chunkId * 10;
  return {
    runId: "r", chunkId, start, end: start + 10, worker, attempt: 1,
    aggregate: { count: 10, sum: 0, sumPartials: [], min, max },
    takenAt: at(finishedMs - 100), finishedAt: at(finishedMs), busySeconds: 0.1,
  };
}

async function fixtureReport(): Promise<RunReport> {
  return JSON.parse(await readFile("test/fixtures/reports/fault-redis.json", "utf8")) as RunReport;
}

test("the result digest counts each chunk once, per worker, with one progress point a second and the best values", () => {
  const d = new ResultDigest();
  d.add([result(0, "0", 200, 5, 9), result(1, "1", 700, 3, 12)]);
  d.add([result(1, "2", 900, 1, 99), result(2, "0", 1_500, 4, 8)]); // chunk 1 again: a duplicate
  assert.equal(d.chunks, 3);
  assert.equal(d.duplicates, 1);
  assert.deepEqual(d.workers.get("0"), { chunks: 2, params: 20, lastResultAt: at(1_500) });
  assert.equal(d.workers.get("2"), undefined, "a duplicate credits nobody");
  assert.deepEqual(d.points, [{ at: T0, chunks: 2, params: 20 }, { at: T0 + 1000, chunks: 3, params: 30 }]);
  assert.deepEqual(d.best, { min: { value: 3, chunkId: 1, worker: "1" }, max: { value: 12, chunkId: 1, worker: "1" } });
});

test("a long run's progress points are thinned, never unbounded, and keep the last point", () => {
  const d = new ResultDigest();
  for (let i = 0; i < 2_000; i++) d.add([result(i, "0", i * 1000, 1, 1)]);
  assert.ok(d.points.length <= 600, `${d.points.length} points`);
  assert.equal(d.points.at(-1)?.chunks, 2_000);
});

test("workers: registered ones work, idle or fall silent; one with results but no longer registered is dead", () => {
  const tallies = new Map([["0", { chunks: 4, params: 40, lastResultAt: at(0) }], ["1", { chunks: 2, params: 20, lastResultAt: at(0) }]]);
  const rows = liveWorkers({
    consumers: [{ worker: "1", holding: 1, idleMs: 200 }, { worker: "2", holding: 1, idleMs: 9_000 }, { worker: "3", holding: 0, idleMs: 50 }],
    tallies,
    places: [{ id: "1", handle: "4242", node: "kind-worker2", status: "running" }],
    staleThresholdMs: 1_500,
  });
  assert.deepEqual(rows.map((w) => [w.id, w.state]), [["0", "dead"], ["1", "working"], ["2", "silent"], ["3", "idle"]]);
  assert.deepEqual([rows[1]?.process, rows[1]?.node, rows[1]?.chunks, rows[1]?.lastSeenSecondsAgo], ["4242", "kind-worker2", 2, 0.2]);
  assert.deepEqual(reportWorkers([{ worker: "0", chunks: 1, params: 10, busySeconds: 1, exit: "killed by the fault demo (SIGKILL)" }]).map((w) => w.state), ["dead"]);
});

test("a live run's page: figures from the monitor's view, chunks taken over marked, the report's failed parameters shown", async () => {
  const view = deriveView(
    { at: new Date(T0 + 10_000), backend: "redis", runId: "r", totalChunks: 100, totalParameters: 1000, chunkSize: 10, stats: { accepted: 40, duplicates: 0, deadLettered: 1, pending: 57, inFlight: { "1": 2 }, extra: {} }, state: { state: "active", why: "2 worker(s) consuming" } },
    undefined,
    new Date(T0),
  );
  const failedParams = [{ param: 17, cause: "error" as const, error: "bad point", attempts: 3 }];
  const report = { ...(await fixtureReport()), runId: "r", failedParams };
  const d = runDetailModel({
    backend: "redis", runId: "r", now: new Date(T0 + 10_000),
    live: {
      view, points: [{ at: T0 + 2_000, chunks: 10, params: 100 }], startedAt: T0, workers: [],
      inFlight: [{ worker: "1", chunkId: 35, start: 350, end: 360, ageMs: 1_234, deliveries: 2 }],
      deadLetters: [{ runId: "r", chunkId: 9, start: 90, end: 100, attempts: 3, error: "boom" }], best: null, notes: [],
    },
    report: { folder: "r", report },
  });
  assert.equal(d.source, "broker");
  assert.deepEqual(d.progress, { chunksDone: 40, totalChunks: 100, paramsDone: 400, totalParams: 1000, percent: 40, waiting: 57, inFlight: 2, deadLettered: 1, duplicates: 0 });
  assert.equal(d.paramsPerSecond, 40);
  assert.equal(d.etaSeconds, 15);
  assert.deepEqual(d.history.points, [{ seconds: 2, chunks: 10, params: 100 }]);
  assert.deepEqual(d.inFlight, [{ worker: "1", chunkId: 35, start: 350, end: 360, ageSeconds: 1.2, deliveries: 2, takenOver: true }]);
  assert.deepEqual(d.deadLetters, [{ chunkId: 9, start: 90, end: 100, attempts: 3, error: "boom" }]);
  assert.deepEqual(d.failedParams, failedParams);
});

test("a run gone from the broker is shown from its report; with neither, the page says so; an unreachable broker keeps the last figures", async () => {
  const report = await fixtureReport();
  const gone = runDetailModel({ backend: "redis", runId: report.runId, now: new Date(), report: { folder: report.runId, report } });
  assert.equal(gone.source, "report");
  assert.equal(gone.state, "finished");
  assert.equal(gone.progress.chunksDone, report.chunks.accepted);
  assert.equal(gone.history.points.length, report.progress.length);
  assert.equal(gone.failedParams, null, "a report without per-parameter failures");
  const none = runDetailModel({ backend: "rabbitmq", runId: "x", now: new Date(), error: "connect ECONNREFUSED 127.0.0.1:5672" });
  assert.deepEqual([none.source, none.state, none.error], ["none", "unknown", "connect ECONNREFUSED 127.0.0.1:5672"]);
});

test("the run list: each broker's runs with age and percent, its report linked; an unreachable broker is said to be retried", () => {
  const now = new Date(T0 + 90_000);
  const runs = [{ backend: "redis" as const, namespace: "ns", runId: "a", state: "active" as const, why: "w", createdAt: at(0), totalChunks: 8, chunksDone: 3, deadLettered: 0, objects: [] }];
  const m = runListModel(
    [
      { backend: "redis", namespace: "ns", where: "redis://127.0.0.1:6379", runs: { listing: { backend: "redis", where: "x", namespace: "ns", method: "SCAN", items: [] }, runs, legacy: [] } },
      { backend: "rabbitmq", namespace: "ns", where: "amqp://127.0.0.1", error: "connect ECONNREFUSED" },
    ],
    new Map([["redis/a", "a"]]),
    now,
  );
  assert.deepEqual(m.brokers[0]?.runs[0], { backend: "redis", runId: "a", state: "active", why: "w", createdAt: at(0), ageSeconds: 90, chunksDone: 3, totalChunks: 8, percent: 37.5, deadLettered: 0, report: "a" });
  assert.deepEqual([m.brokers[1]?.reachable, m.brokers[1]?.error], [false, "broker unreachable, retrying: connect ECONNREFUSED"]);
});

test("report.md as HTML: pictures point at the file route, raw HTML is shown as text", () => {
  const html = renderReportHtml("# Run\n\n![progress](progress.svg)\n\n<script>alert(1)</script>\n\n[top](#run) [web](https://example.com)", "/api/reports/r1/files");
  assert.match(html, /<h1[^>]*>Run<\/h1>/);
  assert.match(html, /<img src="\/api\/reports\/r1\/files\/progress.svg" alt="progress"/);
  assert.ok(!html.includes("<script>"), html);
  assert.match(html, /&lt;script&gt;/);
  assert.match(html, /href="#run"/);
  assert.match(html, /href="https:\/\/example.com"/);
});

test("the report history and one report come from the files; nothing outside a report folder is served", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "ttg-dash-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const report = await fixtureReport();
  await writeReport(root, report);
  await mkdir(join(root, "not-a-run"));
  await writeFile(join(root, "secret.json"), "{}");
  const history = await reportHistory(root);
  assert.deepEqual(history.map((h) => [h.folder, h.verdict, h.faults]), [[report.runId, report.verdict, report.faults.length]]);
  const page = await reportPage(root, report.runId, "/files");
  assert.ok(page?.html.includes(`<img src="/files/progress.svg"`), page?.html.slice(0, 400));
  assert.equal((await reportFile(root, report.runId, "progress.svg"))?.type, "image/svg+xml");
  for (const [folder, name] of [["..", "secret.json"], [report.runId, "../secret.json"], [".", "secret.json"], [report.runId, "report.sh"]]) {
    assert.equal(await reportFile(root, folder as string, name as string), undefined, `${folder}/${name}`);
  }
  assert.equal(await reportPage(root, "..", "/files"), undefined);
  assert.equal(await reportPage(root, "not-a-run", "/files"), undefined);
});

test("one reading is shared by every caller while fresh, and a failed one is not kept", async () => {
  let reads = 0;
  let fail = true;
  const cached = new CachedReading(async () => {
    reads++;
    if (fail) throw new Error("down");
    return reads;
  }, 1_000);
  await assert.rejects(cached.get(0), /down/);
  fail = false;
  const [a, b] = await Promise.all([cached.get(10), cached.get(20)]);
  assert.deepEqual([a, b, reads], [2, 2, 2]);
  assert.equal(await cached.get(1_011), 3);
});

test("listening beyond this machine is warned about", () => {
  assert.equal(exposureWarning("127.0.0.1"), undefined);
  assert.match(exposureWarning("0.0.0.0") ?? "", /anyone who reaches this address/);
});

test("the run page's best: the coordinator's published points live, the report's best points once the run is gone", async () => {
  const best = { lowest: [{ id: 1865, point: { x: 0.3, y: 3.1622776601683795 }, value: 0 }], highest: [{ id: 6100, point: { x: 1, y: 0.001 }, value: 12.74 }] };
  assert.deepEqual(bestOfPoints(best), {
    min: { value: 0, chunkId: -1, worker: "", id: 1865, where: "x=0.3 y=3.162" },
    max: { value: 12.74, chunkId: -1, worker: "", id: 6100, where: "x=1 y=0.001" },
  });
  const report = { ...(await fixtureReport()), best };
  const gone = runDetailModel({ backend: "rabbitmq", runId: report.runId, now: new Date(), report: { folder: report.runId, report } });
  assert.equal(gone.best?.min?.where, "x=0.3 y=3.162");
  assert.equal(gone.best?.max?.value, 12.74);
});
