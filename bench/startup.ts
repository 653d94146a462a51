#!/usr/bin/env -S node --import tsx
// node --import tsx bench/startup.ts [--workers 3] [--trials 5] [--runner bundle|source] : worker start-up
// (spawn -> first chunk taken) for workers started together against the machine's broker, split into its
// steps; medians on stdout. --runner source: node --import tsx worker/main.ts, as before the bundle.
import { loadavg } from "node:os";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { scriptParser } from "../lib/script/script-parser.ts";
import { workerCommand } from "../lib/platforms/worker-command.ts";
import { SHARED_URLS } from "./lib/brokers.ts";
import { median } from "./lib/stats.ts";
import { measureWorkerStartup, type WorkerStartup } from "./lib/worker-startup.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "bench/startup.ts", "Measures worker start-up: spawn -> loaded -> compute thread ready -> first chunk.")
    .option("workers", { type: "number", default: 3, describe: "workers started together" })
    .option("trials", { type: "number", default: 5, describe: "repetitions" })
    .option("backend", { choices: ["redis", "rabbitmq"] as const, default: "redis" as const, describe: "broker" })
    .option("runner", { choices: ["bundle", "source"] as const, default: "bundle" as const, describe: "the bundled worker, or worker/main.ts through tsx" })
    .parseAsync();
  const command = a.runner === "source" ? workerCommand() : undefined;
  const all: WorkerStartup[] = [];
  const slowest: number[] = [];
  for (let t = 0; t < a.trials; t++) {
    const run = await measureWorkerStartup(a.backend, SHARED_URLS[a.backend], a.workers, command);
    all.push(...run);
    slowest.push(Math.max(...run.map((w) => w.firstChunkSeconds)));
    const cells = run.map((w) => `w${w.worker} ${w.loadedSeconds.toFixed(3)}/${w.readySeconds.toFixed(3)}/${w.firstChunkSeconds.toFixed(3)}`);
    process.stderr.write(`trial ${t + 1}: loaded/ready/first chunk s: ${cells.join("  ")}\n`);
  }
  const med = (pick: (w: WorkerStartup) => number) => median(all.map(pick)).toFixed(3);
  process.stdout.write(
    `${a.runner}: ${a.workers} worker(s) together, ${a.trials} trials, ${a.backend}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n` +
      `median s from spawn: loaded ${med((w) => w.loadedSeconds)}, compute thread ready ${med((w) => w.readySeconds)}, ` +
      `first chunk ${med((w) => w.firstChunkSeconds)}; slowest worker's first chunk (median of trials) ${median(slowest).toFixed(3)}\n`,
  );
  return EXIT_CODES.ok;
}

if (isMain(import.meta)) await runScript("bench/startup", () => main(process.argv.slice(2)));
