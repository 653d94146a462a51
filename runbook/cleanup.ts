#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// Removes only what TTG created, or lists it (--list): ./runbook/cleanup.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { UsageError } from "../lib/script/usage-error.ts";
import { collectInventory } from "../lib/cleanup/collect-inventory.ts";
import { knownRunIds } from "../lib/cleanup/report-runs.ts";
import { filterInventory, renderInventory } from "../lib/cleanup/render-inventory.ts";
import { KIND_CONTEXT } from "../lib/k8s/cluster.ts";
import { localBrokerPurge, localBrokersFromEnv } from "../lib/cleanup/cleanup-local.ts";
import { cleanupParser } from "../lib/cleanup/cleanup-options.ts";
import { askOnTerminal, runCleanup } from "../lib/cleanup/cleanup-run.ts";
import { printer, scriptShell } from "../lib/script/script-options.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await cleanupParser(argv).parseAsync();
  const target = { context: a.context, ...(a.namespace ? { namespace: a.namespace } : {}) };
  const reportRunIds = knownRunIds(a.reports, "rabbitmq");
  const brokers = localBrokersFromEnv(process.env, [...(a["run-id"] ? [a["run-id"]] : []), ...reportRunIds]);
  if (a.list) {
    const inventory = filterInventory(await collectInventory({ run: scriptShell(false).run, target, brokers, reportsDir: a.reports }), { docker: a.docker, k8s: a.k8s });
    process.stdout.write(a.json ? `${JSON.stringify(inventory, null, 2)}\n` : renderInventory(inventory));
    return EXIT_CODES.ok;
  }
  if (a.json || a.docker || a.k8s) throw new UsageError("--json, --docker and --k8s go with --list: give --list --json, --list --docker or --list --k8s.");
  const deleting = a["delete-brokers"] || a["delete-cluster"];
  if (!a.pods && !a.redis && !a.rabbitmq && !a.all && !deleting) {
    throw new UsageError("Nothing to clean: give --pods, --redis, --rabbitmq or --all (--delete-brokers, --delete-cluster to delete those; add --dry-run to preview, or --list to see what exists).");
  }
  if (a["delete-cluster"] && a["keep-cluster"]) throw new UsageError("--delete-cluster and --keep-cluster contradict each other: give one.");
  if (a["delete-cluster"] && a.context !== KIND_CONTEXT) throw new UsageError(`--delete-cluster deletes the kind cluster only: leave out --context (it was ${a.context}).`);
  const shell = scriptShell(a["dry-run"]);
  const onlyOne = a.redis !== a.rabbitmq && !a.all;
  return runCleanup(
    shell,
    {
      pods: a.pods || a.all,
      redis: a.redis || a.all,
      rabbitmq: a.rabbitmq || a.all,
      ...(a["run-id"] ? { runId: a["run-id"] } : {}),
      deleteBrokers: !a["delete-brokers"] ? [] : onlyOne ? [a.redis ? "redis" : "rabbitmq"] : ["redis", "rabbitmq"],
      deleteCluster: a["delete-cluster"],
      keepImage: a["keep-image"],
      ask: !a.force && process.stdin.isTTY === true,
      force: a.force,
      target,
      platform: a.platform ?? "auto",
      brokersRequired: a.redis || a.rabbitmq,
      knownRunIds: reportRunIds,
    },
    { log: printer(), confirm: askOnTerminal, purge: localBrokerPurge(brokers, shell.run) },
  );
}

if (isMain(import.meta)) await runScript("cleanup", () => main(hideBin(process.argv)));
