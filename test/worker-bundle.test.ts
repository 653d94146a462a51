// The bundled worker (what local workers run under Node): real runs to completion, a TypeScript
// COMPUTE_MODULE through it, and a cache that never hands out a stale or missing bundle.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import { bundleOutput, ensureBundle, type BundleSpec } from "../lib/platforms/cached-bundle.ts";
import { LocalPlatform } from "../lib/platforms/local-platform.ts";
import { assertRunnable, bundledWorkerCommand, localWorkerCommand } from "../lib/platforms/worker-command.ts";
import { compute as rosenbrock } from "../examples/rosenbrock-descent.ts";
import { createQueueRun } from "./helpers/queue-run.ts";
import { startWorkerProcess } from "./helpers/worker-process.ts";
import { within } from "./helpers/wait-for.ts";

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function directSum(start: number, end: number, value: (p: number) => number): number {
  const agg = new AggregateBuilder();
  for (let p = start; p < end; p++) agg.add(value(p));
  return agg.build().sum;
}

test("under Node, local workers run the bundle: plain JavaScript, no tsx loader", async () => {
  const cmd = await localWorkerCommand();
  assert.equal(cmd.command, process.execPath);
  assert.equal(cmd.args.length, 1);
  assert.match(cmd.args[0] ?? "", /node_modules\/\.cache\/ttg-worker\/[0-9a-f]+\/worker\/main\.mjs$/);
  assert.equal(cmd.bundle, cmd.args[0]);
});

test("the bundled worker runs a queue-mode run to completion; the aggregate equals a direct computation", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 300, chunkSize: 20, command: await localWorkerCommand() });
  const workers = ["a", "b"].map((id) => run.start(id));
  assert.deepEqual(
    (await Promise.all(workers.map((w) => w.exitedWithin()))).map((e) => e.code),
    [0, 0],
    workers.flatMap((w) => w.stderr).join("\n"),
  );
  await run.waitForAccepted(run.plan.totalChunks, 10_000);
  assert.equal(run.ledger.coveredParams(), 300);
  assert.equal(run.ledger.aggregate.build().sum, directSum(0, 300, simulatedValue));
});

test("the bundled worker runs a static slice to completion through the local platform", async (t) => {
  const platform = new LocalPlatform({ logDir: tempDir(t, "ttg-bundle-logs-") });
  const lines: string[] = [];
  platform.onLine((_id, line) => lines.push(line));
  assert.match((await platform.prepare()).args[0] ?? "", /worker\/main\.mjs$/);
  await platform.startWorker({ id: "1", env: { TOTAL_WORKERS: "2", TOTAL_PARAMETERS: "400", SIMULATE_WORK_MS: "0" } });
  t.after(() => platform.stopAll(1_000));
  await within(platform.waitForExit("1"), 60_000, "the static worker to finish");
  assert.equal(platform.workers()[0]?.exitCode, 0, lines.join("\n"));
  const summary = JSON.parse(lines.at(-1) ?? "{}") as { status: string; start: number; end: number; aggregate: { sum: number } };
  assert.deepEqual([summary.status, summary.start, summary.end], ["completed", 200, 400]);
  assert.equal(summary.aggregate.sum, directSum(200, 400, simulatedValue));
});

test("a TypeScript COMPUTE_MODULE works through the bundle: its compute thread registers tsx for it", async () => {
  const w = startWorkerProcess(
    { COMPUTE_MODULE: "examples/rosenbrock-descent.ts", TOTAL_WORKERS: "1", TOTAL_PARAMETERS: "300" },
    await localWorkerCommand(),
  );
  assert.deepEqual(await w.exitedWithin(), { code: 0, signal: null }, w.stderr.join("\n"));
  const summary = w.summary() as { params: number; aggregate: { sum: number } };
  assert.equal(summary.params, 300);
  assert.equal(summary.aggregate.sum, directSum(0, 300, rosenbrock));
});

test("a COMPUTE_MODULE that cannot be loaded still ends the bundled worker with exit 2 and one line", async () => {
  const w = startWorkerProcess({ COMPUTE_MODULE: "no/such/module.ts", TOTAL_WORKERS: "1" }, await localWorkerCommand());
  assert.equal((await w.exitedWithin()).code, 2);
  assert.equal(w.stderr.length, 1);
  assert.match(w.stderr[0] ?? "", /^worker: Cannot load COMPUTE_MODULE no\/such\/module\.ts/);
});

function fixtureSpec(t: TestContext): { spec: BundleSpec; root: string } {
  const root = tempDir(t, "ttg-bundle-src-");
  writeFileSync(join(root, "main.ts"), 'import { value } from "./value.ts";\nconsole.log(value);\n');
  writeFileSync(join(root, "value.ts"), 'export const value: string = "first";\n');
  const spec: BundleSpec = {
    root,
    entries: { main: "main.ts" },
    outSubdir: "out",
    cacheDir: join(root, "cache"),
    esbuild: { bundle: true, platform: "node", format: "esm", outExtension: { ".js": ".mjs" } },
  };
  return { spec, root };
}

const runOutput = (path: string) => execFileSync(process.execPath, [path], { encoding: "utf8", timeout: 30_000 }).trim();

test("a bundle is reused only while every input is unchanged: an edited import is bundled again", async (t) => {
  const { spec, root } = fixtureSpec(t);
  const first = await ensureBundle(spec);
  assert.equal(first.built, true);
  assert.equal(runOutput(bundleOutput(first, "main")), "first");
  const again = await ensureBundle(spec);
  assert.deepEqual(again, { ...first, built: false });
  writeFileSync(join(root, "value.ts"), 'export const value: string = "second";\n');
  const edited = await ensureBundle(spec);
  assert.equal(edited.built, true);
  assert.notEqual(edited.key, first.key);
  assert.equal(runOutput(bundleOutput(edited, "main")), "second");
});

test("a bundle whose files were removed is built again, and a command whose bundle is gone refuses to start", async (t) => {
  const { spec } = fixtureSpec(t);
  const first = await ensureBundle(spec);
  unlinkSync(bundleOutput(first, "main"));
  const rebuilt = await ensureBundle(spec);
  assert.deepEqual(rebuilt, { ...first, built: true });
  assert.equal(runOutput(bundleOutput(rebuilt, "main")), "first");

  const gone = bundledWorkerCommand(join(spec.cacheDir, "no-such-key", "worker", "main.mjs"));
  assert.throws(() => assertRunnable(gone), /^Error: Cannot start a worker: its bundle .* is gone/);
  const platform = new LocalPlatform({ command: gone });
  await assert.rejects(platform.startWorker({ id: "0", env: {} }), /its bundle .* is gone/);
  assert.deepEqual(platform.workers(), []);
});

test("a source that does not compile is one line naming the file, not a stale bundle", async (t) => {
  const { spec, root } = fixtureSpec(t);
  await ensureBundle(spec);
  writeFileSync(join(root, "value.ts"), "export const value = ;\n");
  await assert.rejects(ensureBundle(spec), /^Error: Cannot bundle main\.ts: value\.ts:1: Unexpected ";"$/);
});
