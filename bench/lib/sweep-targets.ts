// Issue 15's bench targets: a grid sweep of millions of points in bounded coordinator memory, and
// the zero-work throughput through --compute-cmd beside the module path.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { isUnavailable, type BenchReport } from "./bench-model.ts";
import { check, notMeasured, type TargetCheck } from "./targets.ts";

const NAME: Record<BackendName, string> = { redis: "Redis", rabbitmq: "RabbitMQ" };
/** The coordinator's memory budget for a sweep with --results none. */
export const SWEEP_RSS_LIMIT_MIB = 256;
/** Zero-work chunks/s through --compute-cmd over the module path's, at every chunk size measured. */
export const COMPUTE_CMD_MIN_RATIO = 0.25;

export function sweepTargets(r: Omit<BenchReport, "targets">): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const b of ["redis", "rabbitmq"] as const) {
    const id = `sweep-scale-${b}`;
    const target = `${NAME[b]}: a grid sweep file (3 axes, 10,000,000 points in the full bench) with --results none passes with coordinator peak RSS < ${SWEEP_RSS_LIMIT_MIB} MiB`;
    const s = r.sweepScale?.[b];
    if (s === undefined) out.push(notMeasured(id, target, "phase not run"));
    else if (isUnavailable(s)) out.push(notMeasured(id, target, s.unavailable));
    else {
      const rss = s.coordinatorPeakRssMiB;
      out.push(check(id, target, `${s.points.toLocaleString("en-US")} points (${s.axes.join(" x ")}): ${s.verdict} in ${s.wallSeconds.toFixed(1)} s, coordinator peak ${rss ?? "?"} MiB`,
        s.verdict === "pass" && rss !== null && rss < SWEEP_RSS_LIMIT_MIB,
        s.verdict !== "pass" ? `the run's verdict was ${s.verdict}` : rss === null ? "peak RSS could not be read" : `peak RSS ${rss} MiB`));
    }
  }
  const id = "compute-cmd";
  const target = `Redis: zero-work chunks/s through --compute-cmd >= ${COMPUTE_CMD_MIN_RATIO}x the module path's at each chunk size`;
  const c = r.computeCmd;
  if (c === undefined) out.push(notMeasured(id, target, "phase not run"));
  else if (isUnavailable(c)) out.push(notMeasured(id, target, c.unavailable));
  else {
    const worst = c.points.reduce((a, p) => (p.ratio < a.ratio ? p : a));
    const figure = c.points.map((p) => `chunk ${p.chunkSize}: ${p.ratio.toFixed(2)}x (${Math.round(p.command.chunksPerSecond.median)} vs ${Math.round(p.module.chunksPerSecond.median)} chunks/s)`).join("; ");
    out.push(check(id, target, figure, c.points.every((p) => p.ratio >= COMPUTE_CMD_MIN_RATIO),
      `at chunk ${worst.chunkSize} each parameter crosses two pipes and two JSON codings (worker to program and back) where the module path makes one function call; ${c.trials} trial(s) on ${c.workers} workers`));
  }
  return out;
}
