// A sweep as data every worker holds (SWEEP_JSON) and the pure map from a parameter id to its
// point. A grid is never materialised: pointOf(id) decodes id in mixed radix, last axis fastest.
import type { AxisSpec, AxisValue } from "./axis-values.ts";
import { compileAxis } from "./axis-values.ts";
import { uniformAt } from "./seeded-random.ts";

export type Point = Record<string, AxisValue>;

/** The resolved sweep: what the coordinator sends to workers and hashes into the plan. */
export type Sweep =
  | { mode: "grid"; axes: readonly (readonly [string, AxisSpec])[] }
  | { mode: "random"; axes: readonly (readonly [string, AxisSpec])[]; samples: number; seed: number }
  | { mode: "points"; names: readonly string[]; rows: readonly (readonly AxisValue[])[] };

export type SweepSpace = {
  /** Axis names in order (the results file's columns). */
  names: readonly string[];
  /** Parameters in the sweep: ids 0..size-1. */
  size: number;
  pointOf: (id: number) => Point;
  /** The axis sizes when the sweep is a grid (for a line or heatmap picture), else undefined. */
  gridShape: readonly number[] | undefined;
};

export function sweepSpace(sweep: Sweep): SweepSpace {
  if (sweep.mode === "points") {
    const { names, rows } = sweep;
    const pointOf = (id: number) => Object.fromEntries(names.map((n, i) => [n, (rows[id] as readonly AxisValue[])[i] as AxisValue]));
    return { names, size: rows.length, pointOf: checked(rows.length, pointOf), gridShape: undefined };
  }
  const axes = sweep.axes.map(([name, spec]) => compileAxis(name, spec));
  const names = axes.map((a) => a.name);
  if (sweep.mode === "random") {
    const { seed } = sweep;
    const pointOf = (id: number) => Object.fromEntries(axes.map((a, k) => [a.name, a.valueAt(Math.floor(uniformAt(seed, id, k) * a.count))]));
    return { names, size: sweep.samples, pointOf: checked(sweep.samples, pointOf), gridShape: undefined };
  }
  const size = axes.reduce((n, a) => n * a.count, 1);
  const pointOf = (id: number) => {
    const point: Point = {};
    let rest = id;
    for (let k = axes.length - 1; k >= 0; k--) {
      const axis = axes[k] as (typeof axes)[number];
      point[axis.name] = axis.valueAt(rest % axis.count);
      rest = Math.floor(rest / axis.count);
    }
    return Object.fromEntries(names.map((n) => [n, point[n] as AxisValue]));
  };
  return { names, size, pointOf: checked(size, pointOf), gridShape: axes.map((a) => a.count) };
}

function checked(size: number, pointOf: (id: number) => Point): (id: number) => Point {
  return (id) => {
    if (!Number.isInteger(id) || id < 0 || id >= size) throw new RangeError(`Cannot map parameter ${id} to a point: the sweep has ids 0..${size - 1}`);
    return pointOf(id);
  };
}
