// monitor.ts against real runs on Redis and RabbitMQ (each test in its own random namespace), and
// its pure parts: throughput, the run list, when a watch stops.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { BrokerRuns } from "../lib/backends/list-runs.ts";
import { openRunObserver, type BackendName } from "../lib/backends/open-backend.ts";
import { deriveView, paramsForChunks, type MonitorReading } from "../lib/monitor/monitor-view.ts";
import { renderMonitor } from "../lib/monitor/render-monitor.ts";
import { renderRunList } from "../lib/monitor/render-run-list.ts";
import { abandonedEnd, MONITOR_EXIT, nextStreak, type AbandonedStreak } from "../lib/monitor/watch-end.ts";
import { createQueueRun, deleteNamespace, type QueueRun } from "./helpers/queue-run.ts";
import { waitFor } from "./helpers/wait-for.ts";

const stats = { accepted: 40, duplicates: 1, deadLettered: 0, pending: 55, inFlight: { "0": 1, "2": 1 }, extra: { streamLength: 57 } };
const reading = (at: number, accepted: number, more: Partial<MonitorReading> = {}): MonitorReading => ({
  at: new Date(at), backend: "redis", runId: "r", totalChunks: 100, totalParameters: 1000, chunkSize: 10, stats: { ...stats, accepted }, ...more,
});

test("params done are right for any chunk size (the original assumed 100)", () => {
  assert.equal(paramsForChunks(60, 100, 10, 1000), 600);
  assert.equal(paramsForChunks(100, 100, 10, 995), 995);
  assert.equal(paramsForChunks(3, 4, 3, 10), 9);
});

test("throughput comes from the change between readings and gives an ETA", () => {
  const first = deriveView(reading(0, 20), undefined, undefined);
  const second = deriveView(reading(2000, 40), first, undefined);
  assert.equal(second.paramsDone, 400);
  assert.equal(second.paramsPerSecond, 100);
  assert.equal(second.etaSeconds, 6);
  const text = renderMonitor(second);
  assert.match(text, /40\/100 chunks \(40%\)/);
  assert.match(text, /params done\s+│ 400 \/ 1,000 \(chunk size 10\)/);
  assert.match(text, /ETA\s+│ 6s/);
  assert.ok(!text.includes("\u001b["), "no escape codes without a terminal");
});

test("throughput is never negative and never computed across a reset (chunks done going down: a purge)", () => {
  const before = deriveView(reading(0, 30), undefined, undefined);
  const running = deriveView(reading(1000, 60), before, undefined);
  assert.equal(running.paramsPerSecond, 300);
  const purged = deriveView(reading(2000, 0), running, undefined);
  assert.equal(purged.paramsPerSecond, null, "no rate across a reset (the issue showed -684 params/s)");
  assert.equal(purged.etaSeconds, null);
  assert.match(renderMonitor(purged), /throughput\s+│ –/);
  const again = deriveView(reading(3000, 5), purged, undefined);
  assert.equal(again.paramsPerSecond, 50, "the rate starts afresh after the reset, without the old smoothing");
  const replanned = deriveView(reading(4000, 10, { totalChunks: 50 }), again, undefined);
  assert.equal(replanned.paramsPerSecond, null, "a run reloaded with another plan starts afresh too");
  for (const v of [before, running, purged, again, replanned]) assert.ok((v.paramsPerSecond ?? 0) >= 0);
});

test("an abandoned run shows its state and no ETA; a watch gives up on it only after a few readings", () => {
  const state = { state: "abandoned" as const, why: "no coordinator, last worker activity 3 h ago" };
  const first = deriveView(reading(0, 20, { state }), undefined, undefined);
  const view = deriveView(reading(1000, 40, { state }), first, undefined);
  assert.equal(view.etaSeconds, null);
  assert.match(renderMonitor(view), /state\s+│ abandoned — no coordinator, last worker activity 3 h ago/);
  assert.match(renderMonitor(view), /ETA\s+│ – \(nobody works on it\)/);
  let streak: AbandonedStreak = { readings: 0 };
  const ends = [0, 1000, 2000, 6000].map((at) => {
    const v = deriveView(reading(at, 40, { state }), undefined, undefined);
    streak = nextStreak(streak, v);
    return abandonedEnd(v, streak);
  });
  assert.deepEqual(ends.slice(0, 3), [undefined, undefined, undefined], "3 readings within 5 s are not enough");
  assert.equal(ends[3]?.code, MONITOR_EXIT.abandoned);
  const active = deriveView(reading(7000, 41, { state: { state: "active", why: "1 worker(s) consuming" } }), undefined, undefined);
  assert.deepEqual(nextStreak(streak, active), { readings: 0 }, "any sign of life starts the count again");
});

test("the run list shows every run's state and why, age, chunks done / total and dead letters", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const base = { backend: "redis" as const, namespace: "ttg", objects: [] };
  const b: BrokerRuns = {
    listing: { backend: "redis", where: "redis://127.0.0.1:6379", namespace: "ttg", method: "SCAN MATCH ttg:*", items: [] },
    runs: [
      { ...base, runId: "new", state: "active", why: "2 worker(s) consuming", createdAt: "2026-01-01T11:59:15Z", totalChunks: 100, chunksDone: 40, deadLettered: 0 },
      { ...base, runId: "old", state: "abandoned", why: "no coordinator, last worker activity 3 h ago", createdAt: "2026-01-01T09:00:00Z", totalChunks: 30, chunksDone: 12, deadLettered: 1 },
    ],
    legacy: [{ name: "ttg:tasks", type: "stream" }],
  };
  const text = renderRunList(b, now);
  assert.match(text, /new\s+│ active\s+│ 2 worker\(s\) consuming\s+│ 45 s\s+│ 40 \/ 100\s+│ 0/);
  assert.match(text, /old\s+│ abandoned\s+│ no coordinator, last worker activity 3 h ago\s+│ 3 h\s+│ 12 \/ 30\s+│ 1/);
  assert.match(text, /old shared layout .*ttg:tasks/);
  assert.match(renderRunList({ ...b, runs: [], legacy: [] }, now), /No runs in namespace ttg on redis: start one with/);
});

/** monitor.ts run to its end, with a deadline (a hung monitor fails the test instead of blocking it). */
function monitorSync(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", "runbook/monitor.ts", ...args], { env, encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" });
}

type MonitorProcess = { stdout: () => string; stderr: () => string; exited: Promise<number | null> };

/** monitor.ts as a real child process, killed at the end of the test if it is still running. */
function startMonitor(t: TestContext, args: string[], env: Record<string, string | undefined>): MonitorProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "runbook/monitor.ts", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL")));
  return { stdout: () => out, stderr: () => err, exited };
}

/** Waits for the monitor to stop by itself, with a deadline. */
async function exitWithin(m: MonitorProcess, ms: number): Promise<number | null> {
  let code: number | null | undefined;
  void m.exited.then((c) => (code = c));
  await waitFor(() => code !== undefined, `the monitor to exit by itself (output so far: ${m.stdout().slice(-400)} ${m.stderr()})`, ms, 100);
  return code ?? null;
}

function brokerEnv(run: QueueRun, reports: string): { env: Record<string, string>; args: string[] } {
  return {
    env: { QUEUE_NAMESPACE: run.namespace, ...(run.backend === "redis" ? { REDIS_URL: run.url } : { AMQP_URL: run.url }) },
    args: ["--backend", run.backend, "--reports", reports],
  };
}

function tempReports(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-mon-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A second run in the same namespace, loaded and left alone: nobody works on it. */
async function loadAbandonedRun(t: TestContext, run: QueueRun): Promise<string> {
  const runId = `${run.runId}-left`;
  t.after(() => deleteNamespace(run.backend, run.url, run.namespace, [run.runId, runId]).catch(() => undefined));
  const observer = await openRunObserver(run.backend, { url: run.url, namespace: run.namespace, runId, consumer: "loader", maxDeliveries: 3, retryDelayMs: 100, staleThresholdMs: 1000, staleCheckIntervalMs: 100 });
  try {
    await observer.ensureLoaded({ runId, totalParameters: 60, chunkSize: 20, totalChunks: 3 });
  } finally {
    await observer.close();
  }
  return runId;
}

async function purgeRun(run: QueueRun, runId: string): Promise<void> {
  const observer = await openRunObserver(run.backend, { url: run.url, namespace: run.namespace, runId, consumer: "purger", maxDeliveries: 3, retryDelayMs: 100, staleThresholdMs: 1000, staleCheckIntervalMs: 100 });
  try {
    await observer.purge();
  } finally {
    await observer.close();
  }
}

for (const backend of ["redis", "rabbitmq"] as const satisfies readonly BackendName[]) {
  test(`${backend}: without --run-id the monitor lists a finished and an abandoned run with their states; a watch stops when its run is purged or abandoned`, async (t) => {
    const run = await createQueueRun(t, backend, { params: 90, chunkSize: 30 });
    assert.equal((await run.start("a").exitedWithin()).code, 0);
    const left = await loadAbandonedRun(t, run);
    const reports = tempReports(t);
    const { env, args } = brokerEnv(run, reports);

    const table = monitorSync(args, { ...process.env, ...env });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${run.runId}\\s+│ finished\\s+│ every chunk has a result or a dead letter\\s+│ \\d+ s\\s+│ 3 / 3\\s+│ 0`));
    assert.match(table.stdout, new RegExp(`${left}\\s+│ abandoned\\s+│ [^│]+│ \\d+ s\\s+│ 0 / 3\\s+│ 0`));

    const json = monitorSync([...args, "--json"], { ...process.env, ...env });
    assert.equal(json.status, 0, json.stderr);
    const runs = JSON.parse(json.stdout) as { runId: string; state: string; chunksDone: number; totalChunks: number; ageSeconds: number }[];
    assert.deepEqual(runs.map((r) => [r.runId, r.state, r.chunksDone, r.totalChunks]).sort(), [[run.runId, "finished", 3, 3], [left, "abandoned", 0, 3]].sort());
    assert.ok(runs.every((r) => r.ageSeconds >= 0 && r.ageSeconds < 600));

    const abandoned = startMonitor(t, [...args, "--run-id", left, "--watch", "0.5"], env);
    assert.equal(await exitWithin(abandoned, 30_000), MONITOR_EXIT.abandoned, abandoned.stderr());
    assert.match(abandoned.stdout(), /state\s+│ abandoned/);
    assert.match(abandoned.stdout().trim().split("\n").at(-1) ?? "", new RegExp(`^Run ${left} is abandoned \\(.+\\) at 0/3 chunks: stopped watching`));

    const purged = startMonitor(t, [...args, "--run-id", left, "--watch", "0.5"], env);
    await waitFor(() => purged.stdout().includes("chunks done"), "the first reading", 30_000, 50);
    await purgeRun(run, left);
    assert.equal(await exitWithin(purged, 30_000), MONITOR_EXIT.gone, purged.stderr());
    assert.match(purged.stdout().trim().split("\n").at(-1) ?? "", new RegExp(`^Run ${left} is gone from ${backend} \\(purged, usually after it finished; no report of it in the reports folder\\): stopped watching\\.$`));
    assert.doesNotMatch(purged.stdout(), /-\d[\d,]* params\/s/, "no negative throughput around the purge");
  });

  test(`${backend}: --watch 1 --run-id X exits 0 by itself when the run settles`, async (t) => {
    const run = await createQueueRun(t, backend, { params: 300, chunkSize: 20, workMs: 20 });
    const worker = run.start("a");
    await run.waitForAccepted(1);
    const { env, args } = brokerEnv(run, tempReports(t));
    const m = startMonitor(t, [...args, "--run-id", run.runId, "--watch", "1"], env);
    assert.equal((await worker.exitedWithin()).code, 0);
    assert.equal(await exitWithin(m, 30_000), MONITOR_EXIT.settled, m.stderr());
    assert.match(m.stdout(), /state\s+│ (active|finished)/);
    assert.match(m.stdout().trim().split("\n").at(-1) ?? "", /^SETTLED — all 15 chunks have exactly one accepted result$/);
  });
}

/** The monitor's run list with a rabbitmqctl that cannot reach its node first on PATH (kept in `reports`/bin). */
function listWithoutRabbitmqctl(reports: string, args: string[], env: Record<string, string>) {
  const bin = join(reports, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "rabbitmqctl"), "#!/bin/sh\necho 'rabbitmqctl: cannot reach the node' >&2\nexit 69\n");
  chmodSync(join(bin, "rabbitmqctl"), 0o755);
  return monitorSync(args, { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` });
}

test("rabbitmq without rabbitmqctl: the list looks for the runs of the reports folder", async (t) => {
  const run = await createQueueRun(t, "rabbitmq", { params: 60, chunkSize: 30 });
  assert.equal((await run.start("a").exitedWithin()).code, 0);
  const reports = tempReports(t);
  mkdirSync(join(reports, run.runId));
  writeFileSync(join(reports, run.runId, "report.json"), JSON.stringify({ runId: run.runId, backend: "rabbitmq", platform: "local", verdict: "pass" }));
  const { env, args } = brokerEnv(run, reports);
  const r = listWithoutRabbitmqctl(reports, args, env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /found by the shared queue names and those of 1 known run\(s\) \(rabbitmqctl cannot reach its node\)/);
  assert.match(r.stdout, new RegExp(`${run.runId}\\s+│ finished`));
  await purgeRun(run, run.runId);
  const gone = monitorSync([...args, "--run-id", run.runId], { ...process.env, ...env });
  assert.equal(gone.status, 2);
  assert.equal(gone.stderr.trim(), `monitor: Cannot find run ${run.runId} in namespace ${run.namespace} on rabbitmq: it is gone from the broker; its report: ${join(reports, run.runId, "report.json")} (verdict pass).`);
});

test("rabbitmq without rabbitmqctl: a run the demo started and has not finished (run.json, no report yet) is still listed", async (t) => {
  const run = await createQueueRun(t, "rabbitmq", { params: 60, chunkSize: 30 });
  await run.observer.ensureLoaded(run.plan); // loaded, its coordinator reading: a run still going
  const reports = tempReports(t);
  mkdirSync(join(reports, run.runId));
  // What the demo saves as it starts (lib/sweep/saved-run.ts), for a run still going.
  writeFileSync(join(reports, run.runId, "run.json"), JSON.stringify({ version: 1, startedAt: new Date().toISOString(), config: { runId: run.runId, backend: "rabbitmq" } }));
  const { env, args } = brokerEnv(run, reports);
  const r = listWithoutRabbitmqctl(reports, args, env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /those of 1 known run\(s\) \(rabbitmqctl cannot reach its node\)/);
  assert.match(r.stdout, new RegExp(`${run.runId}\\s+│ active`));
});

test("monitor.ts shows a real run's numbers, as text and as JSON", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 300, chunkSize: 30 });
  const w = run.start("a");
  assert.equal((await w.exitedWithin()).code, 0);
  const { env, args } = brokerEnv(run, tempReports(t));
  const r = monitorSync([...args, "--run-id", run.runId, "--json"], { ...process.env, ...env });
  assert.equal(r.status, 0, r.stderr);
  const view = JSON.parse(r.stdout);
  assert.equal(view.runId, run.runId);
  assert.equal(view.state, "finished");
  assert.deepEqual(view.chunks, { total: 10, accepted: 10, waiting: 0, deadLettered: 0, duplicates: 0 });
  assert.deepEqual(view.params, { total: 300, done: 300, failed: 0 });
  assert.equal(view.settled, true);
  const text = monitorSync([...args, "--run-id", run.runId, "--watch", "1"], { ...process.env, ...env });
  assert.equal(text.status, 0);
  assert.match(text.stdout, /SETTLED — all 10 chunks have exactly one accepted result/);
  const missing = monitorSync([...args, "--run-id", "no-such-run"], { ...process.env, ...env });
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim(), `monitor: Cannot find run no-such-run in namespace ${run.namespace} on redis: list the runs there with ./runbook/monitor.ts --backend redis.`);
});

test("on RabbitMQ the monitor only looks: a demo beside it still gets every result", async (t) => {
  const reports = tempReports(t);
  const namespace = `ttgtest-${Math.random().toString(36).slice(2, 8)}`;
  const env = { ...process.env, QUEUE_NAMESPACE: namespace };
  t.after(() => deleteNamespace("rabbitmq", "amqp://guest:guest@127.0.0.1:5672", namespace, ["watched"]));
  const demo = spawn(process.execPath, ["--import", "tsx", "runbook/demo.ts", "--backend", "rabbitmq", "--platform", "local", "--params", "1200", "--chunk-size", "30", "--work-ms", "15", "--run-id", "watched", "--reports", reports], { env, stdio: ["ignore", "pipe", "pipe"] });
  let demoOutput = "";
  for (const s of [demo.stdout, demo.stderr]) s.on("data", (d: Buffer) => (demoOutput += d.toString("utf8")));
  const demoDone = new Promise<number | null>((resolve) => demo.once("close", resolve));
  t.after(() => void (demo.exitCode === null && demo.signalCode === null && demo.kill("SIGKILL")));
  const readings: { chunks: { accepted: number; total: number } }[] = [];
  // 1,200 params of 15 ms on 3 workers: ~6 s of work, so that a monitor started beside it (~1 s to
  // start on a loaded 2-core machine) reads it a few times; with 5 ms, the demo in CI beside another
  // demo loop was over before one reading (the run's end now reaches idle workers at once).
  for (let i = 0; i < 40 && demo.exitCode === null; i++) {
    const m = startMonitor(t, ["--backend", "rabbitmq", "--run-id", "watched", "--json", "--reports", reports], { QUEUE_NAMESPACE: namespace });
    if ((await exitWithin(m, 60_000)) === 0) readings.push(JSON.parse(m.stdout()));
  }
  assert.equal(await demoDone, 0, `the demo completes with the monitor reading beside it: ${demoOutput.slice(-600)}`);
  assert.ok(readings.length > 0, "the monitor read the run while it ran");
  assert.ok(readings.every((r) => r.chunks.total === 40 && r.chunks.accepted <= 40));
});
