// What report.json says about a run's sweep: its digest (the one in the run's plan), mode, size
// and each axis's name and number of values. Small whatever the sweep's size: nothing is listed.
import { sweepDigest } from "./sweep-json.ts";
import { sweepSpace, type Sweep } from "./sweep-space.ts";
import { compileAxis } from "./axis-values.ts";

/** values: an axis's length (grid, random), or the distinct values in its column (points). */
export type SweepShape = {
  digest: string;
  mode: Sweep["mode"];
  /** Parameters in the sweep (a grid's product of axis lengths, random samples, points). */
  size: number;
  axes: { name: string; values: number }[];
  /** The random mode's seed. */
  seed?: number;
};

export function sweepShape(sweep: Sweep): SweepShape {
  const base = { digest: sweepDigest(sweep), mode: sweep.mode, size: sweepSpace(sweep).size };
  if (sweep.mode === "points") {
    const axes = sweep.names.map((name, k) => ({ name, values: new Set(sweep.rows.map((row) => row[k])).size }));
    return { ...base, axes };
  }
  const axes = sweep.axes.map(([name, spec]) => ({ name, values: compileAxis(name, spec).count }));
  return sweep.mode === "random" ? { ...base, axes, seed: sweep.seed } : { ...base, axes };
}

/** "grid of x (50) × y (40) = 2,000 points", "random: 300 samples of x (50), k (4), seed 7", "points: 12 rows of x, label". */
export function describeSweepShape(shape: SweepShape): string {
  const axes = shape.axes.map((a) => `${a.name} (${a.values})`);
  if (shape.mode === "grid") return `grid of ${axes.join(" × ")} = ${shape.size.toLocaleString("en")} points`;
  if (shape.mode === "random") return `random: ${shape.size.toLocaleString("en")} samples of ${axes.join(", ")}, seed ${shape.seed ?? 0}`;
  return `points: ${shape.size.toLocaleString("en")} rows of ${shape.axes.map((a) => a.name).join(", ")}`;
}
