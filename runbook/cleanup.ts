#!/usr/bin/env -S node --import tsx
// Removes only what TTG created, or lists it (--list): ./runbook/cleanup.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { UsageError } from "../lib/script/usage-error.ts";
import { collectInventory } from "../lib/cleanup/collect-inventory.ts";
import { readReportRuns } from "../lib/cleanup/report-runs.ts";
import { renderInventory } from "../lib/cleanup/render-inventory.ts";
import { localBrokerPurge, localBrokersFromEnv } from "../lib/cleanup/cleanup-local.ts";
import { cleanupParser } from "../lib/cleanup/cleanup-options.ts";
import { askOnTerminal, runCleanup } from "../lib/cleanup/cleanup-run.ts";
import { printer, scriptShell } from "../lib/script/script-options.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await cleanupParser(argv).parseAsync();
  const target = { context: a.context, ...(a.namespace ? { namespace: a.namespace } : {}) };
  const reportRunIds = readReportRuns(a.reports).filter((r) => r.backend === "rabbitmq").map((r) => r.runId);
  const brokers = localBrokersFromEnv(process.env, [...(a["run-id"] ? [a["run-id"]] : []), ...reportRunIds]);
  if (a.list) {
    const inventory = await collectInventory({ run: scriptShell(false).run, target, brokers, reportsDir: a.reports });
    process.stdout.write(a.json ? `${JSON.stringify(inventory, null, 2)}\n` : renderInventory(inventory));
    return EXIT_CODES.ok;
  }
  if (a.json) throw new UsageError("--json goes with --list: give --list --json.");
  if (!a.pods && !a.redis && !a.rabbitmq && !a.all) throw new UsageError("Nothing to clean: give --pods, --redis, --rabbitmq or --all (add --dry-run to preview, or --list to see what exists).");
  const shell = scriptShell(a["dry-run"]);
  return runCleanup(
    shell,
    {
      pods: a.pods || a.all,
      redis: a.redis || a.all,
      rabbitmq: a.rabbitmq || a.all,
      monitoring: a.all,
      ...(a["run-id"] ? { runId: a["run-id"] } : {}),
      deleteCluster: a.all && !a["keep-cluster"],
      ask: !a.force && process.stdin.isTTY === true,
      force: a.force,
      target,
      platform: a.platform ?? "auto",
      brokersRequired: a.redis || a.rabbitmq,
    },
    { log: printer(), confirm: askOnTerminal, purge: localBrokerPurge(brokers, shell.run) },
  );
}

if (isMain(import.meta)) await runScript("cleanup", () => main(hideBin(process.argv)));
