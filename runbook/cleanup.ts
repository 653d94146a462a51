#!/usr/bin/env -S node --import tsx
// Removes TTG's objects only (by the project's labels): ./runbook/cleanup.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/cli/entry.ts";
import { flag } from "../lib/cli/flag-parsers.ts";
import { UsageError } from "../lib/cli/usage-error.ts";
import { text } from "../lib/config/parsers.ts";
import { KIND_CONTEXT } from "../lib/kind/cluster.ts";
import { askOnTerminal, runCleanup } from "../lib/kind/cleanup-run.ts";
import { printer, scriptParser, scriptShell } from "../lib/kind/script-options.ts";

const RUN_ID = text(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "a run id (1-63 lowercase letters, digits, '.' or '-')");

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(
    argv,
    "cleanup.ts",
    "Removes only objects carrying TTG's labels. --pods never touches the brokers; --dry-run lists exactly what would go. --all also deletes the kind cluster ttg-sandbox unless --keep-cluster.",
  )
    .option("pods", { type: "boolean", default: false, describe: "worker pods, Jobs and worker Deployments (never brokers)" })
    .option("redis", { type: "boolean", default: false, describe: "the Redis broker (deployment, service, PVC, secret)" })
    .option("rabbitmq", { type: "boolean", default: false, describe: "the RabbitMQ broker (deployment, service, PVC, secret)" })
    .option("all", { type: "boolean", default: false, describe: "all of the above, RedisInsight, and the kind cluster" })
    .option("keep-cluster", { type: "boolean", default: false, describe: "with --all: keep the kind cluster" })
    .option("force", { type: "boolean", default: false, describe: "do not ask for confirmation" })
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "only this run's worker objects" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kube context (AKS/EKS/GKE: your context's name)" })
    .option("namespace", { type: "string", describe: "namespace (default: the context's)" })
    .parseAsync();
  if (!a.pods && !a.redis && !a.rabbitmq && !a.all) throw new UsageError("Nothing to clean: give --pods, --redis, --rabbitmq or --all (add --dry-run to preview).");
  const shell = scriptShell(a["dry-run"]);
  const interactive = process.stdin.isTTY === true;
  return runCleanup(
    shell,
    {
      pods: a.pods || a.all,
      redis: a.redis || a.all,
      rabbitmq: a.rabbitmq || a.all,
      monitoring: a.all,
      ...(a["run-id"] ? { runId: a["run-id"] } : {}),
      deleteCluster: a.all && !a["keep-cluster"],
      force: a.force || !interactive,
      target: { context: a.context, ...(a.namespace ? { namespace: a.namespace } : {}) },
    },
    { log: printer(), confirm: askOnTerminal },
  );
}

if (isMain(import.meta)) await runScript("cleanup", () => main(hideBin(process.argv)));
