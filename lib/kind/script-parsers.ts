// The flags of setup.ts, build.ts and recover.ts, built without parsing so the scripts and the
// generated configuration reference (lib/docs/config-reference.ts) read the same definitions.
import { flag } from "../script/flag-parsers.ts";
import { decimal, text } from "../config/parsers.ts";
import { RUN_ID } from "../config/run-id.ts";
import { shellScriptParser } from "../script/script-options.ts";

const VERSION = text(/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, "a semantic version such as 2.0.0");

export function setupParser(argv: string[]) {
  return shellScriptParser(
    argv,
    "setup.ts",
    "Checks docker, kind and kubectl; creates the kind cluster ttg-sandbox from k8s/kind-config.yaml (1 control-plane + 3 workers) unless it exists; builds ttg-worker:v<version> and loads it. Safe to run twice.",
  )
    .option("skip-build", { type: "boolean", default: false, describe: "load the existing image instead of building it" })
    .option("no-cache", { type: "boolean", default: false, describe: "build without Docker's layer cache" });
}

export function buildParser(argv: string[]) {
  return shellScriptParser(argv, "build.ts", "Builds ttg-worker:v<version> from the Dockerfile with OCI labels (version, git revision, created).")
    .option("version", { coerce: flag("version", VERSION), describe: "image version (default: package.json)" })
    .option("load-kind", { type: "boolean", default: false, describe: "load the image into the kind cluster ttg-sandbox" })
    .option("no-cache", { type: "boolean", default: false, describe: "build without Docker's layer cache" })
    .option("push", { type: "boolean", default: false, describe: "push to --registry / --acr" })
    .option("registry", { type: "string", describe: "registry host/path, e.g. ghcr.io/me or 123.dkr.ecr.eu-west-1.amazonaws.com" })
    .option("acr", { type: "string", describe: "Azure Container Registry name (NAME.azurecr.io)" });
}

export function recoverParser(argv: string[]) {
  return shellScriptParser(
    argv,
    "recover.ts",
    "Restarts the stopped node containers of kind cluster ttg-sandbox (only those), waits for the API server, CoreDNS and every node, redeploys missing brokers, checks the worker image, and resumes a run.",
  )
    .option("resume", { coerce: flag("resume", RUN_ID), describe: "resume this interrupted run: as demo.ts --resume when it was started by the demo (reports/<run>/run.json), else start its dead worker pods again" })
    .option("reports", { type: "string", default: "reports", describe: "folder of the demo's reports (where --resume finds the run)" })
    .option("brokers", { choices: ["both", "redis", "rabbitmq", "none"] as const, default: "both" as const, describe: "brokers to check and redeploy" })
    .option("timeout", { coerce: flag("timeout", decimal(1, 3600)), default: 300, describe: "seconds to wait for each phase" })
    .option("namespace", { type: "string", describe: "namespace of the TTG objects (default: the context's)" });
}
