// Scale: a large sweep of the built-in function with no sleep, run by the real coordinator
// (runbook/demo.ts as its own process, so its memory is the coordinator's alone) against a private
// broker, whose memory is read at the end with the run's data still in it.
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { startPrivateBroker, type BrokerMemory, type PrivateBroker } from "./brokers.ts";
import { demoRunFigure, demoRunLine, runDemoMeasured, type DemoRunFigure } from "./demo-run.ts";
import type { Say } from "./progress.ts";

/** The demo's --results: per-parameter values published by workers and written by the coordinator, or chunk aggregates only. */
export type ResultsGranularity = "params" | "chunks";

export type ScaleFigure = DemoRunFigure & {
  backend: BackendName;
  results: ResultsGranularity;
  params: number;
  chunkSize: number;
  workers: number;
  broker: BrokerMemory & { note: string };
};

const TMP = fileURLToPath(new URL("../results/tmp/scale", import.meta.url));

export async function measureScale(backend: BackendName, plan: BenchPlan["scale"], say: Say): Promise<ScaleFigure[]> {
  const out: ScaleFigure[] = [];
  for (const results of plan.results) {
    say(`${backend} scale: starting a private broker`);
    const broker = await startPrivateBroker(backend);
    try {
      out.push(await scaleRun(backend, plan, results, broker, say));
    } finally {
      await broker.stop();
    }
  }
  return out;
}

/** The results writer at two sizes (Redis, per-parameter values): does its peak memory stay flat? */
export async function measureResultsMemory(plan: BenchPlan["resultsMemory"], say: Say): Promise<ScaleFigure[]> {
  const out: ScaleFigure[] = [];
  for (const params of plan.sizes) {
    say(`results writer: ${params.toLocaleString("en-US")} params with --results params`);
    out.push(...(await measureScale("redis", { params, chunkSize: plan.chunkSize, workers: plan.workers, backends: ["redis"], results: ["params"] }, say)));
  }
  return out;
}

async function scaleRun(backend: BackendName, plan: BenchPlan["scale"], results: ResultsGranularity, broker: PrivateBroker, say: Say): Promise<ScaleFigure> {
  const args = ["--params", String(plan.params), "--chunk-size", String(plan.chunkSize), "--work-ms", "0", "--results", results, "--workers", String(plan.workers), "--skip-cleanup", "--stall-seconds", "120"];
  say(`${backend} scale: ${plan.params.toLocaleString("en-US")} params in chunks of ${plan.chunkSize} on ${plan.workers} workers, --results ${results}`);
  // Bounded: a generous multiple of the expected time.
  const run = await runDemoMeasured(backend, broker.url, args, { reportsDir: TMP, timeoutMs: Math.max(120_000, plan.params / 20) });
  const figure = demoRunFigure(run);
  const memory = await broker.memory();
  say(`${backend} scale, --results ${results}: ${demoRunLine(figure)}`);
  return {
    backend,
    results,
    params: plan.params,
    chunkSize: plan.chunkSize,
    workers: plan.workers,
    ...figure,
    broker: { ...memory, note: broker.note },
  };
}
