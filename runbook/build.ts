#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// Builds the versioned worker image with OCI labels: ./runbook/build.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { buildWorkerImage, registryFromFlags } from "../lib/kind/build-image.ts";
import { packageVersion } from "../lib/k8s/cluster.ts";
import { checkPrerequisites } from "../lib/kind/prerequisites.ts";
import { buildParser } from "../lib/kind/script-parsers.ts";
import { printer, scriptShell } from "../lib/script/script-options.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await buildParser(argv).parseAsync();
  const shell = scriptShell(a["dry-run"]);
  const log = printer();
  await checkPrerequisites(shell.run, a["load-kind"] ? ["docker", "kind"] : ["docker"], log);
  const registry = registryFromFlags(a.registry, a.acr);
  const image = await buildWorkerImage(
    shell.run,
    {
      version: (a.version ?? packageVersion()).replace(/^v/, ""),
      ...(registry ? { registry } : {}),
      noCache: a["no-cache"],
      push: a.push,
      loadKind: a["load-kind"],
    },
    log,
  );
  log(image);
  return EXIT_CODES.ok;
}

if (isMain(import.meta)) await runScript("build", () => main(hideBin(process.argv)));
