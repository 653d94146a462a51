// The value pictures are pure renderings of report.json's `values`, compared with golden files
// (UPDATE_GOLDEN=1 rewrites them); the summary behind them is exact on a small grid.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ValueSummaryBuilder } from "../lib/results/value-summary.ts";
import { renderHistogramSvg, renderValueMapSvg } from "../lib/report/render-svg-values.ts";
import { sweepSpace, type Sweep } from "../lib/sweep-def/sweep-space.ts";
import { compute as bowl } from "../examples/sweeps/bowl.ts";

const golden = join(import.meta.dirname, "golden");

type Fn = (point: { x: number; y: number }, id: number) => number;

function summaryOf(sweep: Sweep, fn: Fn = bowl) {
  const space = sweepSpace(sweep);
  const values = Array.from({ length: space.size }, (_, id) => fn(space.pointOf(id) as { x: number; y: number }, id));
  const builder = new ValueSummaryBuilder({ min: Math.min(...values), max: Math.max(...values) }, space);
  values.forEach((v, id) => builder.add(id, v));
  return builder.summary;
}

function matchesGolden(name: string, actual: string): void {
  const path = join(golden, name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  assert.ok(existsSync(path), `missing golden file ${path}: run with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${path} differs: if the change is intended, rerun with UPDATE_GOLDEN=1`);
}

const grid2d: Sweep = { mode: "grid", axes: [["x", { linspace: [0, 1, 21] }], ["y", { logspace: [-3, 3, 13] }]] };

test("a 2-axis grid: histogram and heatmap match their golden files", () => {
  const summary = summaryOf(grid2d);
  assert.equal(summary.histogram.counts.reduce((a, b) => a + b, 0), 21 * 13);
  assert.deepEqual(summary.map?.axes.map((a) => [a.name, a.cells]), [["x", 21], ["y", 13]]);
  matchesGolden("sweep-2d.values-histogram.svg", renderHistogramSvg(summary));
  matchesGolden("sweep-2d.values-map.svg", renderValueMapSvg(summary) ?? "");
});

test("a 1-axis grid is a line; a long axis is averaged into at most 100 cells; random sweeps have no map", () => {
  const line = summaryOf({ mode: "grid", axes: [["x", { linspace: [0, 1, 1001] }], ["y", { list: [10 ** 0.5] }]] });
  assert.deepEqual(line.map?.axes.map((a) => [a.name, a.values, a.cells]), [["x", 1001, 100], ["y", 1, 1]]);
  const oneAxis = summaryOf({ mode: "grid", axes: [["x", { linspace: [0, 1, 50] }]] }, ({ x }) => (x - 0.3) ** 2 + 0.05 * Math.sin(20 * x));
  matchesGolden("sweep-1d.values-map.svg", renderValueMapSvg(oneAxis) ?? "");
  const random = summaryOf({ mode: "random", axes: [["x", { linspace: [0, 1, 11] }], ["y", { list: [1, 10] }]], samples: 30, seed: 1 });
  assert.equal(random.map, undefined);
});
