// A real (non-sleeping) compute function: each parameter picks a starting point on a
// 100 x 100 grid over [-2, 2]^2; the value is the Rosenbrock loss after gradient descent.
// Use it as a template: export compute(paramId) returning a number (or a promise of one).
const GRID = 100;
const STEPS = 400;
const RATE = 1e-3;

function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function compute(paramId: number): number {
  let x = -2 + (4 * (paramId % GRID)) / (GRID - 1);
  let y = -2 + (4 * (Math.floor(paramId / GRID) % GRID)) / (GRID - 1);
  for (let i = 0; i < STEPS; i++) {
    const gx = -2 * (1 - x) - 400 * x * (y - x * x);
    const gy = 200 * (y - x * x);
    // Clip the step so divergent starting points stay finite.
    x -= Math.max(-0.1, Math.min(0.1, RATE * gx));
    y -= Math.max(-0.1, Math.min(0.1, RATE * gy));
  }
  return rosenbrock(x, y);
}
