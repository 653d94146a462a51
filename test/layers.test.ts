// No import climbs: every lib/ module imports only from its own floor or lower ones (lib/layers.ts),
// and lib/ never imports from the programs and tests that stand on it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { floorOf } from "../lib/layers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const LIB = join(ROOT, "lib");
const SPECIFIER = /(?:from\s+|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

test("every lib/ folder has a floor in lib/layers.ts", () => {
  const folders = new Set(sources(LIB).map((f) => dirname(relative(LIB, f))).filter((d) => d !== "."));
  for (const folder of folders) assert.notEqual(floorOf(folder), undefined, `lib/${folder} is on no floor: add it to lib/layers.ts`);
});

test("no import runs from a lower floor to a higher one, and lib/ never imports worker/, runbook/, bench/ or test/", () => {
  const climbs: string[] = [];
  for (const file of sources(LIB)) {
    const from = dirname(relative(LIB, file));
    for (const [, spec] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
      const target = relative(LIB, normalize(join(dirname(file), spec ?? "")));
      const where = `lib/${relative(LIB, file)} imports ${spec}`;
      if (target.startsWith("..")) {
        climbs.push(`${where}: outside lib/`);
        continue;
      }
      const to = dirname(target);
      if (from === "." || to === ".") continue; // lib/layers.ts itself
      const [a, b] = [floorOf(from), floorOf(to)];
      if (a !== undefined && b !== undefined && b > a) climbs.push(`${where}: floor ${b} above floor ${a}`);
    }
  }
  assert.deepEqual(climbs, []);
});
