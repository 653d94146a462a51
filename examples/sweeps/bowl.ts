// A compute module for a sweep: called compute(point, paramId) with the point's axis values.
// A bowl whose lowest point is x = 0.3, y = 10^0.5 (about 3.16): `best.lowest` should find it.
export function compute(point: { x: number; y: number }, _paramId: number): number {
  return (point.x - 0.3) ** 2 + (Math.log10(point.y) - 0.5) ** 2;
}
