#!/usr/bin/env -S node --import tsx
// npm run bench [-- --quick] [-- --phases a,b]: measures overhead, efficiency, recovery, chunk size, scale, sweeps and --compute-cmd for each
// backend and writes bench/results/<stamp>.json and .md. Progress goes to stderr; the last two lines
// of stdout are the paths written.
import { fileURLToPath } from "node:url";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { scriptParser } from "../lib/script/script-parser.ts";
import { stderrSay } from "./lib/progress.ts";
import { PHASES, runBench, type Phase } from "./lib/run-bench.ts";

const BACKENDS = ["redis", "rabbitmq"] as const;

/** "--phases a,b c" is [a, b, c]. */
const commaList = (values: unknown[]): string[] => values.flatMap((v) => String(v).split(",")).filter((v) => v !== "");

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "bench/run.ts", "Benchmarks TTG on this machine and writes bench/results/<stamp>.json and .md.")
    .option("quick", { type: "boolean", default: false, describe: "small sizes, one trial each (about a minute)" })
    .option("backends", { type: "array", choices: BACKENDS, default: [...BACKENDS], coerce: commaList, describe: "backends to measure (space- or comma-separated)" })
    .option("phases", { type: "array", choices: PHASES, default: [...PHASES], coerce: commaList, describe: "phases to run (space- or comma-separated)" })
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
