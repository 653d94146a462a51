#!/usr/bin/env -S node --import tsx
// Creates the kind cluster ttg-sandbox (unless it exists) and loads the worker image: ./runbook/setup.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/cli/entry.ts";
import { printer, scriptParser, scriptShell } from "../lib/kind/script-options.ts";
import { setupCluster } from "../lib/kind/setup-cluster.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(
    argv,
    "setup.ts",
    "Checks docker, kind and kubectl; creates the kind cluster ttg-sandbox from k8s/kind-config.yaml (1 control-plane + 3 workers) unless it exists; builds ttg-worker:v<version> and loads it. Safe to run twice.",
  )
    .option("skip-build", { type: "boolean", default: false, describe: "load the existing image instead of building it" })
    .option("no-cache", { type: "boolean", default: false, describe: "build without Docker's layer cache" })
    .parseAsync();
  await setupCluster(scriptShell(a["dry-run"]).run, { skipBuild: a["skip-build"], noCache: a["no-cache"] }, printer());
  return 0;
}

if (isMain(import.meta)) await runScript("setup", () => main(hideBin(process.argv)));
