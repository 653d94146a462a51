#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// Creates the kind cluster ttg-sandbox (unless it exists) and loads the worker image: ./runbook/setup.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { setupParser } from "../lib/kind/script-parsers.ts";
import { printer, scriptShell } from "../lib/script/script-options.ts";
import { setupCluster } from "../lib/kind/setup-cluster.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await setupParser(argv).parseAsync();
  await setupCluster(scriptShell(a["dry-run"]).run, { skipBuild: a["skip-build"], noCache: a["no-cache"] }, printer());
  return EXIT_CODES.ok;
}

if (isMain(import.meta)) await runScript("setup", () => main(hideBin(process.argv)));
