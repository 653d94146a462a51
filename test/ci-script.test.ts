// .ci/run refuses UPDATE_GOLDEN: in CI the golden tests must compare, never rewrite their files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test(".ci/run with UPDATE_GOLDEN set stops before doing anything: one line, exit 2", (t) => {
  // A copy in a scratch folder, with an npm that only fails: nothing can touch this checkout.
  const scratch = mkdtempSync(join(tmpdir(), "ttg-ci-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  mkdirSync(join(scratch, ".ci"));
  mkdirSync(join(scratch, "bin"));
  copyFileSync(join(import.meta.dirname, "..", ".ci", "run"), join(scratch, ".ci", "run"));
  writeFileSync(join(scratch, "bin", "npm"), "#!/bin/sh\necho npm was run >&2\nexit 99\n");
  chmodSync(join(scratch, "bin", "npm"), 0o755);
  for (const value of ["1", ""]) {
    const r = spawnSync("bash", [join(scratch, ".ci", "run")], {
      encoding: "utf8",
      env: { PATH: `${join(scratch, "bin")}:${process.env.PATH ?? ""}`, UPDATE_GOLDEN: value },
      timeout: 30_000,
    });
    assert.equal(r.status, 2, `UPDATE_GOLDEN=${JSON.stringify(value)}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^ci: UPDATE_GOLDEN is set, .*unset UPDATE_GOLDEN and run again\n$/);
  }
});
