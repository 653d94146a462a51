#!/usr/bin/env -S node --import tsx
// Live view of a run on either backend: ./runbook/monitor.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/cli/entry.ts";
import { flag } from "../lib/cli/flag-parsers.ts";
import { scriptParser } from "../lib/cli/script-parser.ts";
import { decimal } from "../lib/config/parsers.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom } from "../lib/config/worker-config.ts";
import { workerEnvFromEnvironment } from "../lib/config/worker-env-passthrough.ts";
import { runMonitor } from "../lib/monitor/run-monitor.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await scriptParser(argv, "monitor.ts", "Shows a run's chunks done, waiting, in flight per worker, dead letters, throughput and ETA.")
    .option("backend", { choices: ["redis", "rabbitmq"] as const, default: "redis" as const, describe: "queue backend" })
    .option("run-id", { type: "string", describe: "run to show (default on redis: the newest)" })
    .option("watch", { coerce: flag("watch", decimal(0.2, 3600)), describe: "refresh every N seconds until the run settles" })
    .option("json", { type: "boolean", default: false, describe: "one JSON object per reading" })
    .parseAsync();
  const env = workerEnvFromEnvironment(process.env);
  const local = { REDIS_HOST: "127.0.0.1", RABBITMQ_HOST: "127.0.0.1", RABBITMQ_USER: "guest", RABBITMQ_PASSWORD: "guest", ...env };
  const stopped = new Promise((resolve) => process.once("SIGINT", resolve));
  return runMonitor(
    {
      backend: a.backend,
      url: a.backend === "redis" ? redisUrlFrom(local) : amqpUrlFrom(local),
      namespace: readWorkerConfig(env).namespace,
      runId: a["run-id"],
      watchSeconds: a.watch,
      json: a.json,
    },
    { out: process.stdout, stopped },
  );
}

if (isMain(import.meta)) await runScript("monitor", () => main(hideBin(process.argv)));
