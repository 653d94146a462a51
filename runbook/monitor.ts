#!/bin/sh
":" //#; d="$(dirname -- "$0")"; case "$d" in /*) ;; *) d="./$d" ;; esac; t="$d/../node_modules/tsx/dist/loader.mjs"; [ -f "$t" ] || { echo "${0##*/}: Cannot find tsx next to the script: run npm ci in $d/.." >&2; exit 2; }; exec node --import "$t" "$0" "$@"
// The runs of a broker namespace and their states, a live view of one run, or the web dashboard: ./runbook/monitor.ts --help
import { hideBin } from "yargs/helpers";
import { isMain, runScript } from "../lib/script/entry.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom } from "../lib/config/worker-config.ts";
import { workerEnvFromEnvironment } from "../lib/config/worker-env-passthrough.ts";
import { runWebMonitor } from "../lib/dashboard/web-monitor.ts";
import { monitorParser } from "../lib/monitor/monitor-options.ts";
import { runMonitor } from "../lib/monitor/run-monitor.ts";
import { monitorBroker } from "../lib/monitor/monitor-broker.ts";
import { realShell } from "../lib/shell/zx-runner.ts";

export async function main(argv: string[]): Promise<number> {
  const a = await monitorParser(argv).parseAsync();
  const env = workerEnvFromEnvironment(process.env);
  const local = { REDIS_HOST: "127.0.0.1", RABBITMQ_HOST: "127.0.0.1", RABBITMQ_USER: "guest", RABBITMQ_PASSWORD: "guest", ...env };
  const urls = { redis: redisUrlFrom(local), rabbitmq: amqpUrlFrom(local) };
  const worker = readWorkerConfig(env);
  const stopped = new Promise((resolve) => process.once("SIGINT", resolve));
  if (a.web) {
    const backends = a.backend ? [a.backend] : (["redis", "rabbitmq"] as const);
    const web = { backends, urls, namespace: worker.namespace, reportsDir: a.reports, host: a.host, port: a.port, staleThresholdMs: worker.staleThresholdMs };
    return runWebMonitor(web, { out: process.stdout, err: process.stderr, stopped });
  }
  const backend = a.backend ?? "redis";
  const named = ["REDIS_URL", "REDIS_HOST", "AMQP_URL", "RABBITMQ_HOST"].some((k) => env[k] !== undefined);
  const broker = await monitorBroker(realShell, { backend, platform: a.platform ?? "auto", target: { context: a.context }, localUrl: urls[backend], brokerNamed: named });
  if (broker.where !== "local" && !a.json) process.stdout.write(`reading ${broker.where}\n`);
  try {
    const options = { backend, url: broker.url, namespace: worker.namespace, runId: a["run-id"], watchSeconds: a.watch, json: a.json, reportsDir: a.reports };
    return await runMonitor(options, { out: process.stdout, stopped });
  } finally {
    await broker.stop();
  }
}

if (isMain(import.meta)) await runScript("monitor", () => main(hideBin(process.argv)));
