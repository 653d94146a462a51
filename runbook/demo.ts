#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// One-command demo: ./runbook/demo.ts --help
import { hideBin } from "yargs/helpers";
import { parseDemoOptions } from "../lib/demo/demo-options.ts";
import { isMain, runScript } from "../lib/script/entry.ts";
import { runDemo } from "../lib/demo/run-demo.ts";
import { askOnTerminal } from "../lib/cleanup/cleanup-run.ts";

export async function main(argv: string[]): Promise<number> {
  const options = await parseDemoOptions(argv, process.env, process.stdin.isTTY === true);
  return runDemo(options, { out: process.stdout, confirm: askOnTerminal });
}

if (isMain(import.meta)) await runScript("demo", () => main(hideBin(process.argv)));
