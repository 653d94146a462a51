// A TypeScript COMPUTE_MODULE built once to JavaScript for local workers: the build behaves as the
// source (its imports, a file read beside it), is reused while unchanged, is skipped where it could
// not behave the same, and the bundled worker imports it instead of loading tsx.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { compiledComputeModule } from "../lib/platforms/compiled-compute-module.ts";
import { LocalPlatform } from "../lib/platforms/local-platform.ts";
import { localWorkerCommand } from "../lib/platforms/worker-command.ts";
import { startWorkerProcess } from "./helpers/worker-process.ts";
import { within } from "./helpers/wait-for.ts";

/** A package with node_modules and a module that imports a file and reads data.txt beside itself. */
function fixturePackage(t: TestContext): { root: string; module: string } {
  const root = mkdtempSync(join(tmpdir(), "ttg-compiled-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, "package.json"), "{}\n");
  mkdirSync(join(root, "node_modules"));
  mkdirSync(join(root, "algo"));
  writeFileSync(join(root, "algo", "data.txt"), "7\n");
  writeFileSync(join(root, "algo", "scale.ts"), "export const scale: number = 2;\n");
  writeFileSync(
    join(root, "algo", "main.ts"),
    [
      'import { readFileSync } from "node:fs";',
      'import { scale } from "./scale.ts";',
      'const offset: number = Number(readFileSync(new URL("./data.txt", import.meta.url), "utf8"));',
      "export function compute(id: number): number {",
      "  return id * scale + offset;",
      "}",
    ].join("\n"),
  );
  return { root, module: join(root, "algo", "main.ts") };
}

/** compute(3) of a module, imported by plain node (no tsx). */
const computeThree = (path: string) =>
  execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(path)}); console.log(m.compute(3));`], { encoding: "utf8", timeout: 30_000 }).trim();

test("a TypeScript module is built once to JavaScript that behaves as the source: imports and files beside it", async (t) => {
  const { root, module } = fixturePackage(t);
  const built = await compiledComputeModule(module);
  assert.match(built ?? "", /node_modules\/\.cache\/ttg-compute\/[0-9a-f]+\/[0-9a-f]+\/compute\/main\.mjs$/);
  assert.ok(built?.startsWith(join(root, "node_modules")));
  assert.equal(computeThree(built as string), "13");
  assert.equal(await compiledComputeModule(module), built, "unchanged sources: the same build");
  writeFileSync(join(root, "algo", "scale.ts"), "export const scale: number = 3;\n");
  const edited = await compiledComputeModule(module);
  assert.notEqual(edited, built);
  assert.equal(computeThree(edited as string), "16");
});

test("a module of one file is compiled, not bundled: its top-level const stays const (V8 folds it), and it reads files beside it", async (t) => {
  const { root } = fixturePackage(t);
  const module = join(root, "algo", "single.ts");
  writeFileSync(
    module,
    [
      'import { readFileSync } from "node:fs";',
      "const SCALE: number = 5;",
      'const offset: number = Number(readFileSync(new URL("./data.txt", import.meta.url), "utf8"));',
      "export function compute(id: number): number {",
      "  return id * SCALE + offset;",
      "}",
    ].join("\n"),
  );
  const built = await compiledComputeModule(module);
  assert.ok(built, "built");
  assert.match(readFileSync(built, "utf8"), /^const SCALE = 5;$/m);
  assert.equal(computeThree(built), "22");
});

test("no build where it could behave differently: JavaScript, CommonJS names, no package root with node_modules", async (t) => {
  const { root, module } = fixturePackage(t);
  writeFileSync(join(root, "algo", "plain.mjs"), "export const compute = (id) => id;\n");
  assert.equal(await compiledComputeModule(join(root, "algo", "plain.mjs")), undefined);
  writeFileSync(join(root, "algo", "cjs.ts"), "export const compute = (id: number): number => id + __dirname.length;\n");
  assert.equal(await compiledComputeModule(join(root, "algo", "cjs.ts")), undefined);
  writeFileSync(join(root, "algo", "broken.ts"), "export const compute = ;\n");
  assert.equal(await compiledComputeModule(join(root, "algo", "broken.ts")), undefined, "the worker reports the error itself");
  rmSync(join(root, "node_modules"), { recursive: true });
  assert.equal(await compiledComputeModule(module), undefined);
  assert.equal(await compiledComputeModule(join(root, "no-such.ts")), undefined);
});

test("the bundled worker imports COMPUTE_MODULE_JS instead of the TypeScript source, and falls back to it when the build is gone", async (t) => {
  const { root, module } = fixturePackage(t);
  // A stand-in build with another function: whose values come out shows which file was imported.
  const stand = join(root, "stand-in.mjs");
  writeFileSync(stand, "export const compute = (id) => 1000 + id;\n");
  const run = async (js: string) => {
    const w = startWorkerProcess({ COMPUTE_MODULE: module, COMPUTE_MODULE_JS: js, TOTAL_WORKERS: "1", TOTAL_PARAMETERS: "4" }, await localWorkerCommand());
    assert.deepEqual(await w.exitedWithin(), { code: 0, signal: null }, w.stderr.join("\n"));
    return (w.summary() as { aggregate: { sum: number } }).aggregate.sum;
  };
  assert.equal(await run(stand), 1000 * 4 + 0 + 1 + 2 + 3);
  assert.equal(await run(join(root, "gone.mjs")), 4 * 7 + 2 * (0 + 1 + 2 + 3));
});

test("local workers get the build of a TypeScript COMPUTE_MODULE", async (t) => {
  const { module } = fixturePackage(t);
  const platform = new LocalPlatform();
  const lines: string[] = [];
  platform.onLine((_id, line) => lines.push(line));
  t.after(() => platform.stopAll(1_000));
  const built = await platform.prepareComputeModule(module);
  assert.ok(built);
  await platform.startWorker({ id: "0", env: { COMPUTE_MODULE: module, TOTAL_WORKERS: "1", TOTAL_PARAMETERS: "4" } });
  await within(platform.waitForExit("0"), 60_000, "the static worker to finish");
  assert.equal(platform.workers()[0]?.exitCode, 0, lines.join("\n"));
  assert.ok(lines.some((l) => l.includes("STARTING") && l.includes(built)), lines.join("\n"));
  const summary = JSON.parse(lines.at(-1) ?? "{}") as { aggregate: { sum: number } };
  assert.equal(summary.aggregate.sum, 4 * 7 + 2 * (0 + 1 + 2 + 3));
});
