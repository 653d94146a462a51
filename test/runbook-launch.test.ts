// The runbook scripts start as executables however their path is typed: ./runbook/demo.ts (the
// README's), runbook/demo.ts (a shell's completion), an absolute path, or from another folder; the
// first lines find tsx beside the script, and a checkout without it says to run npm ci.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPTS = readdirSync(join(REPO, "runbook")).filter((f) => f.endsWith(".ts"));

/** Runs an executable through the shell's own exec (no node in front): stdout, stderr and the exit code. */
function run(file: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

test("every runbook script runs from a path without ./ (the repository as the current folder)", async () => {
  assert.ok(SCRIPTS.includes("demo.ts") && SCRIPTS.length >= 6, SCRIPTS.join(", "));
  const runs = await Promise.all(SCRIPTS.map((s) => run(`runbook/${s}`, ["--help"], REPO)));
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, `runbook/${SCRIPTS[i]}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`${SCRIPTS[i]!.replace(".", "\\.")} \\[options\\]`));
  });
});

test("a runbook script runs from the parent folder, from its own folder and by its absolute path", async () => {
  const fromParent = await run(join(basename(REPO), "runbook", "monitor.ts"), ["--help"], dirname(REPO));
  assert.equal(fromParent.code, 0, fromParent.stderr);
  const fromOwn = await run("./monitor.ts", ["--help"], join(REPO, "runbook"));
  assert.equal(fromOwn.code, 0, fromOwn.stderr);
  const absolute = await run(join(REPO, "runbook", "monitor.ts"), ["--help"], tmpdir());
  assert.equal(absolute.code, 0, absolute.stderr);
});

test("a runbook script with no tsx beside it says to run npm ci, exit 2", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ttg-launch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "runbook", "demo.ts");
  mkdirSync(dirname(script));
  copyFileSync(join(REPO, "runbook", "demo.ts"), script);
  const r = await run("runbook/demo.ts", ["--help"], dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), "demo.ts: Cannot find tsx next to the script: run npm ci in ./runbook/..");
});
