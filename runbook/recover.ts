#!/usr/bin/env -S node --import tsx
// After a reboot: restarts ttg-sandbox, waits for it, redeploys brokers, resumes a run: ./runbook/recover.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/cli/entry.ts";
import { flag } from "../lib/cli/flag-parsers.ts";
import { decimal, text } from "../lib/config/parsers.ts";
import { recoverCluster } from "../lib/kind/recover-cluster.ts";
import { printer, scriptParser, scriptShell } from "../lib/kind/script-options.ts";

const RUN_ID = text(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "a run id (1-63 lowercase letters, digits, '.' or '-')");

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(
    argv,
    "recover.ts",
    "Restarts the stopped node containers of kind cluster ttg-sandbox (only those), waits for the API server, CoreDNS and every node, redeploys missing brokers, checks the worker image, and resumes a run.",
  )
    .option("resume", { coerce: flag("resume", RUN_ID), describe: "start the workers of this interrupted run again" })
    .option("brokers", { choices: ["both", "redis", "rabbitmq", "none"] as const, default: "both" as const, describe: "brokers to check and redeploy" })
    .option("timeout", { coerce: flag("timeout", decimal(1, 3600)), default: 300, describe: "seconds to wait for each phase" })
    .option("namespace", { type: "string", describe: "namespace of the TTG objects (default: the context's)" })
    .parseAsync();
  const brokers = a.brokers === "both" ? (["redis", "rabbitmq"] as const) : a.brokers === "none" ? [] : [a.brokers];
  await recoverCluster(
    scriptShell(a["dry-run"]),
    { timeoutSeconds: a.timeout, brokers, ...(a.resume ? { resumeRunId: a.resume } : {}), ...(a.namespace ? { namespace: a.namespace } : {}) },
    printer(),
  );
  return 0;
}

if (isMain(import.meta)) await runScript("recover", () => main(hideBin(process.argv)));
