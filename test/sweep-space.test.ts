// The sweep definition: id -> point for grids (property-tested), seeded random samples, points
// files, and bad sweep files named by the exact field (BadInput, exit 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepSpace, type Sweep } from "../lib/sweep-def/sweep-space.ts";
import { readSweepFile } from "../lib/sweep-def/load-sweep.ts";
import { sweepDigest, sweepFromJson, sweepJson } from "../lib/sweep-def/sweep-json.ts";
import { uniformAt } from "../lib/sweep-def/seeded-random.ts";
import { describeSweepShape, sweepShape } from "../lib/sweep-def/sweep-shape.ts";
import { BadInput } from "../lib/script/bad-input.ts";

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-sweep-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small random grid: 1-4 axes of 1-5 values each, from a seeded generator. */
function randomGrid(seed: number): Sweep {
  const axes = Array.from({ length: 1 + Math.floor(uniformAt(seed, 0, 0) * 4) }, (_, k) => {
    const n = 1 + Math.floor(uniformAt(seed, 1, k) * 5);
    return [`a${k}`, { list: Array.from({ length: n }, (_, i) => i) }] as const;
  });
  return { mode: "grid", axes };
}

test("every id of a grid maps to a distinct point, and the last axis varies fastest", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const space = sweepSpace(randomGrid(seed));
    const shape = space.gridShape ?? [];
    assert.equal(space.size, shape.reduce((a, b) => a * b, 1));
    const seen = new Set<string>();
    for (let id = 0; id < space.size; id++) {
      const point = space.pointOf(id);
      seen.add(JSON.stringify(point));
      const digits = space.names.map((n) => point[n] as number);
      const decoded = digits.reduce((acc, d, k) => acc * (shape[k] as number) + d, 0);
      assert.equal(decoded, id, `seed ${seed} id ${id}: ${JSON.stringify(point)}`);
    }
    assert.equal(seen.size, space.size);
    assert.throws(() => space.pointOf(space.size), RangeError);
  }
});

test("linspace, logspace and range give numpy's and Python's values without materialising", () => {
  const space = sweepSpace({ mode: "grid", axes: [["x", { linspace: [0, 1, 101] }], ["y", { logspace: [-3, 3, 61] }], ["n", { range: [0, 10, 2] }]] });
  assert.equal(space.size, 101 * 61 * 5);
  assert.deepEqual(space.pointOf(0), { x: 0, y: 0.001, n: 0 });
  assert.deepEqual(space.pointOf(space.size - 1), { x: 1, y: 1000, n: 8 });
  assert.deepEqual(space.pointOf(1), { x: 0, y: 0.001, n: 2 });
  assert.equal(space.pointOf(5).y, 10 ** -2.9);
  const huge = sweepSpace({ mode: "grid", axes: [["a", { linspace: [0, 1, 10_000] }], ["b", { range: [0, 1000, 1] }]] });
  assert.equal(huge.size, 10_000_000);
  assert.deepEqual(huge.pointOf(9_999_999), { a: 1, b: 999 });
});

test("a random sweep with a seed gives the same points every time, another seed others", () => {
  const sweep = (seed: number): Sweep => ({ mode: "random", axes: [["x", { linspace: [0, 1, 1001] }], ["k", { list: ["a", "b", "c"] }]], samples: 500, seed });
  const points = (seed: number) => Array.from({ length: 500 }, (_, id) => sweepSpace(sweep(seed)).pointOf(id));
  assert.deepEqual(points(7), points(7));
  assert.deepEqual(sweepSpace(sweepFromJson(sweepJson(sweep(7))) as Sweep).pointOf(123), points(7)[123]);
  assert.notDeepEqual(points(7), points(8));
  const ks = new Set(points(7).map((p) => p.k));
  assert.deepEqual([...ks].sort(), ["a", "b", "c"]);
  assert.notEqual(sweepDigest(sweep(7)), sweepDigest(sweep(8)));
});

test("a YAML sweep file and a CSV or JSONL points file resolve to sweeps", async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, "grid.yaml"), "axes:\n  x: { linspace: [0, 1, 3] }\n  k: [1, 2]\nmode: grid\n");
  const grid = sweepSpace(await readSweepFile(join(dir, "grid.yaml")));
  assert.deepEqual([grid.size, grid.names, grid.pointOf(3)], [6, ["x", "k"], { x: 0.5, k: 2 }]);
  writeFileSync(join(dir, "pts.csv"), "x,label\n0.5,a\n2,b\n");
  writeFileSync(join(dir, "csv.json"), JSON.stringify({ points: "pts.csv" }));
  const csv = sweepSpace(await readSweepFile(join(dir, "csv.json")));
  assert.deepEqual([csv.size, csv.pointOf(1)], [2, { x: 2, label: "b" }]);
  writeFileSync(join(dir, "pts.jsonl"), '{"a":1,"b":"u"}\n{"a":3,"b":"v"}\n');
  writeFileSync(join(dir, "jsonl.yaml"), "points: pts.jsonl\n");
  assert.deepEqual(sweepSpace(await readSweepFile(join(dir, "jsonl.yaml"))).pointOf(1), { a: 3, b: "v" });
});

test("a CSV points file: quoted commas and quotes, CRLF, a BOM; a quoted number stays text", async (t) => {
  const dir = folder(t);
  const csv = '\uFEFFlabel,x,code\r\n"a, b",0.5,"007"\r\n"say ""hi""", 2 ,x\r\n\r\n"two\nlines",-1e3,""\r\n';
  writeFileSync(join(dir, "pts.csv"), csv);
  writeFileSync(join(dir, "sweep.yaml"), "points: pts.csv\n");
  const space = sweepSpace(await readSweepFile(join(dir, "sweep.yaml")));
  assert.deepEqual(space.names, ["label", "x", "code"], "the BOM is not part of the first name");
  assert.equal(space.size, 3, "the blank line is no point");
  assert.deepEqual(space.pointOf(0), { label: "a, b", x: 0.5, code: "007" });
  assert.deepEqual(space.pointOf(1), { label: 'say "hi"', x: 2, code: "x" });
  assert.deepEqual(space.pointOf(2), { label: "two\nlines", x: -1000, code: "" });
});

test("a bad points file is BadInput naming the line: a ragged row, an open quote, a bad column name", async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, "sweep.yaml"), "points: pts.csv\n");
  const cases: [string, RegExp][] = [
    ["x,y\r\n1,2\r\n3,4,5\r\n", /pts\.csv: line 3 \(point 2\) has 3 values for 2 columns; give one value per column/],
    ['x,y\n1,2\n3,"4\n', /pts\.csv: line 3: .*quote a cell/],
    ["x,value\n1,2\n", /column "value": an axis cannot be named/],
    ["x,x\n1,2\n", /names an axis twice/],
    ["x,y\n", /it has no points/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, "pts.csv"), text);
    await assert.rejects(readSweepFile(join(dir, "sweep.yaml")), (e: unknown) => e instanceof BadInput && message.test(e.message) && !e.message.includes("\n"), text);
  }
});

test("a sweep's shape for the report: axis lengths, the random seed, a points column's distinct values", () => {
  const grid: Sweep = { mode: "grid", axes: [["x", { linspace: [0, 1, 5] }], ["k", { list: ["a", "b"] }]] };
  assert.deepEqual(sweepShape(grid), { digest: sweepDigest(grid), mode: "grid", size: 10, axes: [{ name: "x", values: 5 }, { name: "k", values: 2 }] });
  assert.equal(describeSweepShape(sweepShape(grid)), "grid of x (5) × k (2) = 10 points");
  const random: Sweep = { mode: "random", axes: [["n", { range: [0, 10, 2] }]], samples: 300, seed: 7 };
  assert.deepEqual(sweepShape(random), { digest: sweepDigest(random), mode: "random", size: 300, axes: [{ name: "n", values: 5 }], seed: 7 });
  assert.equal(describeSweepShape(sweepShape(random)), "random: 300 samples of n (5), seed 7");
  const points: Sweep = { mode: "points", names: ["x", "label"], rows: [[1, "a"], [2, "a"], [1, "b"]] };
  assert.deepEqual(sweepShape(points).axes, [{ name: "x", values: 2 }, { name: "label", values: 2 }]);
  assert.equal(describeSweepShape(sweepShape(points)), "points: 3 rows of x, label");
});

test("a bad sweep file is BadInput naming the field", async (t) => {
  const dir = folder(t);
  const cases: [string, RegExp][] = [
    ["axes:\n  x: [1]\ncolour: red\n", /colour: unknown key/],
    ["axes:\n  x: []\n", /axes\.x\.list: an axis needs at least one value/],
    ["axes:\n  x: { range: [10, 0, 1] }\n", /axes\.x\.range: the range is empty/],
    ["axes:\n  x: { linspace: [0, 1, -5] }\n", /axes\.x\.linspace\[2\]: a count must be at least 1/],
    ["axes:\n  x: { linspace: [0, 1, 5], range: [0, 3, 1] }\n", /axes\.x: give exactly one/],
    ["axes:\n  x: [1]\nmode: random\n", /samples: mode random needs samples/],
    ["mode: grid\n", /axes: give either axes or points/],
    ["axes:\n  value: [1]\n", /axes\.value: an axis cannot be named param/],
  ];
  for (const [text, message] of cases) {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, text);
    await assert.rejects(readSweepFile(file), (e: unknown) => e instanceof BadInput && message.test(e.message) && !e.message.includes("\n"), text);
  }
});
