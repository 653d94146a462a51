#!/usr/bin/env -S node --import tsx
// npm run bench [-- --quick] : measures overhead, efficiency, recovery, chunk size and scale for each
// backend and writes bench/results/<stamp>.json and .md. Progress goes to stderr; the last two lines
// of stdout are the paths written.
import { fileURLToPath } from "node:url";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { scriptParser } from "../lib/script/script-parser.ts";
import { stderrSay } from "./lib/progress.ts";
import { PHASES, runBench, type Phase } from "./lib/run-bench.ts";

const BACKENDS = ["redis", "rabbitmq"] as const;

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "bench/run.ts", "Benchmarks TTG on this machine and writes bench/results/<stamp>.json and .md.")
    .option("quick", { type: "boolean", default: false, describe: "small sizes, one trial each (about a minute)" })
    .option("backends", { type: "array", choices: BACKENDS, default: [...BACKENDS], describe: "backends to measure" })
    .option("phases", { type: "array", choices: PHASES, default: [...PHASES], describe: "phases to run" })
    .option("out", { type: "string", default: fileURLToPath(new URL("./results", import.meta.url)), describe: "folder for the results" })
    .parseAsync();
  const { json, md } = await runBench(
    {
      mode: a.quick ? "quick" : "full",
      backends: a.backends as (typeof BACKENDS)[number][],
      phases: a.phases as Phase[],
      outDir: a.out,
      command: ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" "),
    },
    stderrSay(),
  );
  process.stdout.write(`${md}\n${json}\n`);
  return EXIT_CODES.ok;
}

if (isMain(import.meta)) await runScript("bench", () => main(process.argv.slice(2)));
