// Scripts run from any directory (the shebang finds tsx next to the script, not in the working
// directory), and the README's Deno line works exactly as written after `npm ci`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));

function parentDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-parent-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(REPO, join(dir, "ttg"));
  return dir;
}

const shell = (line: string, cwd: string, timeout = 120_000) => spawnSync("sh", ["-c", line], { cwd, encoding: "utf8", timeout, env: process.env });

test("from a parent directory, ./ttg/runbook/demo.ts --backend static --platform local runs and writes its report there", (t) => {
  const dir = parentDir(t);
  const r = shell("./ttg/runbook/demo.ts --backend static --platform local", dir);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const path = r.stdout.trimEnd().split("\n").at(-1) ?? "";
  assert.match(path, /^reports\/static-[\w-]+\/report\.json$/);
  const report = JSON.parse(readFileSync(join(dir, path), "utf8")) as { verdict: string; aggregate: { sum: number } };
  assert.equal(report.verdict, "pass");
  assert.equal(report.aggregate.sum, 500035.5);
});

test("every runbook script answers --help from another directory", (t) => {
  const dir = parentDir(t);
  for (const name of ["setup", "build", "demo", "monitor", "recover", "cleanup"]) {
    const r = shell(`./ttg/runbook/${name}.ts --help`, dir);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${name}\\.ts \\[options\\]`));
  }
});

test("the README's Deno line, exactly as written, works after npm ci", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const line = readme.split("\n").find((l) => /deno run -A runbook\/demo\.ts --help/.test(l));
  assert.ok(line, "the README has a Deno --help line");
  const command = line.replace(/\s+#.*$/, "");
  const r = shell(command, REPO);
  assert.equal(r.status, 0, `${command}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^demo\.ts \[options\]/);
});
