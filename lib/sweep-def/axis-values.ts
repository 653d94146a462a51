// One axis of a sweep as a function from an index to a value: nothing is materialised, so a
// linspace of a million values costs what a list of two does.
export type AxisSpec =
  | { list: readonly (number | string)[] }
  | { linspace: readonly [number, number, number] }
  | { logspace: readonly [number, number, number] }
  | { range: readonly [number, number, number] };

export type AxisValue = number | string;

export type Axis = { name: string; count: number; valueAt: (index: number) => AxisValue };

/** Start + i * step for linspace (stop included), 10^that for logspace, start + i * step for range. */
export function compileAxis(name: string, spec: AxisSpec): Axis {
  if ("list" in spec) {
    const values = spec.list;
    return { name, count: values.length, valueAt: (i) => values[i] as AxisValue };
  }
  if ("linspace" in spec) {
    const [start, stop, count] = spec.linspace;
    return { name, count, valueAt: (i) => linspaceAt(start, stop, count, i) };
  }
  if ("logspace" in spec) {
    const [start, stop, count] = spec.logspace;
    return { name, count, valueAt: (i) => 10 ** linspaceAt(start, stop, count, i) };
  }
  const [start, stop, step] = spec.range;
  return { name, count: rangeCount(start, stop, step), valueAt: (i) => start + i * step };
}

/** numpy's linspace: the last value is exactly stop. */
function linspaceAt(start: number, stop: number, count: number, i: number): number {
  if (count === 1) return start;
  if (i === count - 1) return stop;
  return start + ((stop - start) * i) / (count - 1);
}

/** Values of range(start, stop, step), stop excluded (Python's rule; 0 when the step points away). */
export function rangeCount(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}
