#!/usr/bin/env -S node --import tsx
// Builds the versioned worker image with OCI labels: ./runbook/build.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/cli/entry.ts";
import { flag } from "../lib/cli/flag-parsers.ts";
import { text } from "../lib/config/parsers.ts";
import { buildWorkerImage, registryFromFlags } from "../lib/kind/build-image.ts";
import { packageVersion } from "../lib/kind/cluster.ts";
import { checkPrerequisites } from "../lib/kind/prerequisites.ts";
import { printer, scriptParser, scriptShell } from "../lib/kind/script-options.ts";

const VERSION = text(/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, "a semantic version such as 2.0.0");

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "build.ts", "Builds ttg-worker:v<version> from the Dockerfile with OCI labels (version, git revision, created).")
    .option("version", { coerce: flag("version", VERSION), describe: "image version (default: package.json)" })
    .option("load-kind", { type: "boolean", default: false, describe: "load the image into the kind cluster ttg-sandbox" })
    .option("no-cache", { type: "boolean", default: false, describe: "build without Docker's layer cache" })
    .option("push", { type: "boolean", default: false, describe: "push to --registry / --acr" })
    .option("registry", { type: "string", describe: "registry host/path, e.g. ghcr.io/me or 123.dkr.ecr.eu-west-1.amazonaws.com" })
    .option("acr", { type: "string", describe: "Azure Container Registry name (NAME.azurecr.io)" })
    .parseAsync();
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
  return 0;
}

if (isMain(import.meta)) await runScript("build", () => main(hideBin(process.argv)));
