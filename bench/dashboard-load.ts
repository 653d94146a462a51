#!/usr/bin/env -S node --import tsx
// npm run bench:dashboard : the web dashboard's cost to the run it shows (20 polling clients), on
// each backend; writes bench/results/<stamp>-dashboard.{json,md}. Progress goes to stderr; the last
// two lines of stdout are the paths written.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { scriptParser } from "../lib/script/script-parser.ts";
import { SHARED_URLS } from "./lib/brokers.ts";
import { measureDashboardLoad, renderDashboardLoad, type DashboardLoadFigure } from "./lib/dashboard-load.ts";
import { stderrSay } from "./lib/progress.ts";

const BACKENDS = ["redis", "rabbitmq"] as const;

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "bench/dashboard-load.ts", "Measures how much a web dashboard with 20 polling clients slows the run it shows.")
    .option("quick", { type: "boolean", default: false, describe: "a shorter sweep, one trial" })
    .option("backends", { type: "array", choices: BACKENDS, default: [...BACKENDS], describe: "backends to measure" })
    .option("clients", { type: "number", default: 20, describe: "polling clients" })
    .option("out", { type: "string", default: fileURLToPath(new URL("./results", import.meta.url)), describe: "folder for the results" })
    .parseAsync();
  const say = stderrSay();
  const plan = a.quick
    ? { params: 600, chunkSize: 10, workMs: 5, workers: 3, clients: a.clients, trials: 1 }
    : { params: 3000, chunkSize: 10, workMs: 5, workers: 3, clients: a.clients, trials: 3 };
  const figures: DashboardLoadFigure[] = [];
  for (const backend of a.backends as (typeof BACKENDS)[number][]) figures.push(await measureDashboardLoad(backend, SHARED_URLS[backend], plan, say));
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const command = ["npm run bench:dashboard", ...(argv.length ? ["--", ...argv] : [])].join(" ");
  const json = join(a.out, `${stamp}-dashboard.json`);
  const md = join(a.out, `${stamp}-dashboard.md`);
  await writeFile(json, `${JSON.stringify({ command, figures }, null, 2)}\n`);
  await writeFile(md, renderDashboardLoad(figures, command));
  process.stdout.write(`${md}\n${json}\n`);
  return EXIT_CODES.ok;
}

if (isMain(import.meta)) await runScript("bench:dashboard", () => main(process.argv.slice(2)));
