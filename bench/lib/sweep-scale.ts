// sweep-scale: a grid sweep file of millions of points (three axes) with --results none, through
// the real coordinator (runbook/demo.ts as its own process) against a private broker: the point
// of each id is computed by the workers and never materialised, so the coordinator's peak RSS
// must not grow with the grid.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { startPrivateBroker } from "./brokers.ts";
import { demoRunFigure, demoRunLine, runDemoMeasured, type DemoRunFigure } from "./demo-run.ts";
import type { Say } from "./progress.ts";

const TMP = fileURLToPath(new URL("../results/tmp/sweep-scale", import.meta.url));
const AXIS_NAMES = ["a", "b", "c", "d", "e"];

export type SweepScaleFigure = DemoRunFigure & {
  backend: BackendName;
  /** Values per axis: the grid is their product. */
  axes: number[];
  points: number;
  chunkSize: number;
  workers: number;
};

/** A grid sweep of linspace axes with these sizes, as the JSON a sweep file holds. */
export function gridSweep(axes: readonly number[]): { mode: "grid"; axes: Record<string, { linspace: [number, number, number] }> } {
  if (axes.length > AXIS_NAMES.length) throw new Error(`Cannot name ${axes.length} axes: at most ${AXIS_NAMES.length}`);
  return { mode: "grid", axes: Object.fromEntries(axes.map((n, i) => [AXIS_NAMES[i]!, { linspace: [0, 1, n] as [number, number, number] }])) };
}

export async function measureSweepScale(backend: BackendName, plan: BenchPlan["sweepScale"], say: Say): Promise<SweepScaleFigure> {
  const points = plan.axes.reduce((a, b) => a * b, 1);
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `grid-${plan.axes.join("x")}-${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify(gridSweep(plan.axes))}\n`);
  say(`${backend} sweep-scale: starting a private broker`);
  const broker = await startPrivateBroker(backend);
  try {
    say(`${backend} sweep-scale: a ${plan.axes.join(" x ")} grid (${points.toLocaleString("en-US")} points) in chunks of ${plan.chunkSize} on ${plan.workers} workers, --results none`);
    const args = ["--sweep", file, "--chunk-size", String(plan.chunkSize), "--work-ms", "0", "--results", "none", "--workers", String(plan.workers), "--stall-seconds", "120"];
    const run = await runDemoMeasured(backend, broker.url, args, { reportsDir: join(TMP, "reports"), timeoutMs: Math.max(120_000, points / 20) });
    const figure = demoRunFigure(run);
    say(`${backend} sweep-scale: ${demoRunLine(figure)}`);
    return {
      backend,
      axes: [...plan.axes],
      points,
      chunkSize: plan.chunkSize,
      workers: plan.workers,
      ...figure,
    };
  } finally {
    await broker.stop();
    rmSync(file, { force: true });
  }
}
