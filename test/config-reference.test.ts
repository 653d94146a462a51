// docs/configuration.md is generated from the worker variables table and the runbook scripts'
// parsers; it must match what the code validates with.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CONFIG_REFERENCE_PATH, renderConfigReference } from "../lib/docs/config-reference.ts";
import { WORKER_VARIABLES } from "../lib/config/worker-variables.ts";

test("docs/configuration.md matches the generated reference (run `npm run docs` after changing a variable or flag)", async () => {
  const expected = await renderConfigReference();
  const actual = readFileSync(CONFIG_REFERENCE_PATH, "utf8");
  if (actual !== expected) {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const at = e.findIndex((line, i) => a[i] !== line);
    assert.fail(`docs/configuration.md is stale (first difference at line ${at + 1}: ${JSON.stringify(e[at] ?? "")}): run \`npm run docs\` and commit the result.`);
  }
});

test("the reference names every worker variable with its default, and every flag of every script", async () => {
  const text = await renderConfigReference();
  for (const v of Object.values(WORKER_VARIABLES)) assert.match(text, new RegExp(`\\| \`${v.name}\` \\| ${v.default === undefined ? "\\(unset\\)" : `\`${v.default.replace(".", "\\.")}\``} \\|`));
  for (const flag of ["--fault-demo", "--results-format", "--watch", "--skip-build", "--load-kind", "--resume", "--list", "--keep-cluster"]) assert.ok(text.includes(`| \`${flag}\` |`), flag);
  // A validated flag's accepted values come from its own validation.
  assert.match(text, /\| `--workers` \| an integer from 1 to 256 \| `3` \|/);
  assert.match(text, /\| `--timeout` \| a number from 1 to 3600 \| `300` \|/);
});
