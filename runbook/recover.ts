#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// After a reboot: restarts ttg-sandbox, waits for it, redeploys brokers, resumes a run: ./runbook/recover.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { recoverCluster } from "../lib/kind/recover-cluster.ts";
import { recoverParser } from "../lib/kind/script-parsers.ts";
import { printer, scriptShell } from "../lib/script/script-options.ts";
import { parseDemoOptions } from "../lib/demo/demo-options.ts";
import { runDemo } from "../lib/demo/run-demo.ts";
import { reportDir } from "../lib/report/write-report.ts";
import { hasSavedRun } from "../lib/sweep/saved-run.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await recoverParser(argv).parseAsync();
  const brokers = a.brokers === "both" ? (["redis", "rabbitmq"] as const) : a.brokers === "none" ? [] : [a.brokers];
  // A run the demo started is resumed by the demo's own code: coordinator, workers, one report.
  const byDemo = a.resume !== undefined && hasSavedRun(reportDir(a.reports, a.resume));
  await recoverCluster(
    scriptShell(a["dry-run"]),
    { timeoutSeconds: a.timeout, brokers, resumeByDemo: byDemo, ...(a.resume ? { resumeRunId: a.resume } : {}), ...(a.namespace ? { namespace: a.namespace } : {}) },
    printer(),
  );
  if (!byDemo || !a.resume) return EXIT_CODES.ok;
  const demoArgs = ["--resume", a.resume, "--reports", a.reports, ...(a["dry-run"] ? ["--dry-run"] : [])];
  return runDemo(await parseDemoOptions(demoArgs, process.env, process.stdin.isTTY === true), { out: process.stdout });
}

if (isMain(import.meta)) await runScript("recover", () => main(hideBin(process.argv)));
