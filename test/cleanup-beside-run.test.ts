// Cleanup beside a live run (docs/how-it-works.md §4 "Runs are isolated"): in one namespace of the real Redis, a
// short demo run finishes and keeps its keys (--skip-cleanup); while a longer demo run is active,
// `cleanup.ts --redis --run-id <finished>` removes the finished run's keys only, and
// `cleanup.ts --redis --rabbitmq` (no run id, no --force) removes the old shared layout's key but
// names the active run and leaves it alone; the long run still ends with exit 0 and verdict pass.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Redis } from "ioredis";
import { removeNamespace } from "../lib/backends/purge-namespace.ts";
import { allRunKeys, redisKeys } from "../lib/backends/redis/redis-keys.ts";
import { REPO, runScript, type ScriptResult } from "./fixtures/k8s/fake-cluster.ts";
import { AMQP_URL, REDIS_URL, rand } from "./helpers/seed-runs.ts";
import { waitFor } from "./helpers/wait-for.ts";

const demoArgs = (runId: string, reports: string, more: string[]) => [
  ...["--backend", "redis", "--platform", "local", "--workers", "1", "--chunk-size", "30", "--run-id", runId, "--reports", reports, "--yes"],
  ...more,
];

test("cleanup beside an active demo run: the finished run's keys go, the active run is named and left alone, and it still passes", { timeout: 90_000 }, async (t) => {
  const ns = `ttgt${rand()}`;
  const reports = mkdtempSync(join(tmpdir(), "ttg-cleanup-beside-"));
  const redis = new Redis(REDIS_URL);
  t.after(async () => {
    await removeNamespace({ backend: "redis", url: REDIS_URL, namespace: ns });
    redis.disconnect();
    rmSync(reports, { recursive: true, force: true });
  });
  const env = { ...(process.env as Record<string, string>), REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };
  const [finished, live] = [`fin-${rand()}`, `live-${rand()}`];
  const keysOf = (runId: string) => allRunKeys(redisKeys(ns, runId));
  const existing = async (keys: string[]) => (await Promise.all(keys.map(async (k) => ((await redis.exists(k)) ? k : undefined)))).filter((k) => k !== undefined);

  const first = await runScript("demo", demoArgs(finished, reports, ["--params", "300", "--work-ms", "0", "--skip-cleanup"]), env);
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  const finishedKeys = await existing(keysOf(finished));
  assert.ok(finishedKeys.length > 0, "the finished run kept its keys");
  await redis.xadd(`${ns}:tasks`, "*", "run_id", "older", "chunk_id", "0"); // the old shared layout

  const long = startDemo(demoArgs(live, reports, ["--params", "3000", "--work-ms", "4"]), env);
  t.after(() => long.stop());
  await waitFor(async () => (await redis.exists(redisKeys(ns, live).alive)) === 1, "the long run's coordinator to be watching it", 30_000);

  const byId = await runScript("cleanup", ["--redis", "--platform", "local", "--run-id", finished], env);
  assert.equal(byId.code, 0, `${byId.stdout}\n${byId.stderr}`);
  assert.match(byId.stdout, new RegExp(`run ${finished} \\(finished: `));
  assert.deepEqual(await existing(finishedKeys), [], byId.stdout);

  const sweep = await runScript("cleanup", ["--redis", "--rabbitmq", "--platform", "local"], env);
  assert.equal(sweep.code, 0, `${sweep.stdout}\n${sweep.stderr}`);
  assert.match(sweep.stdout, new RegExp(`left alone: run ${live} is active \\(its coordinator is watching it\\); --force removes it anyway`));
  assert.match(sweep.stdout, /old shared layout \(from before runs were isolated\): 1 key\(s\)/);
  assert.equal(await redis.exists(`${ns}:tasks`), 0, sweep.stdout);

  const done = await long.exit;
  assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
  const reportPath = done.stdout.trim().split("\n").at(-1) ?? "";
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as { verdict: string; runId: string; chunks: { accepted: number; expected: number } };
  assert.equal(report.runId, live);
  assert.equal(report.verdict, "pass");
  assert.equal(report.chunks.accepted, report.chunks.expected);
});

/** demo.ts as a child process that a failing test can stop (by its pid). */
function startDemo(args: string[], env: Record<string, string>): { exit: Promise<ScriptResult>; stop(): void } {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "runbook", "demo.ts"), ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<ScriptResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { exit, stop: () => void (child.exitCode === null && child.kill("SIGTERM")) };
}
