// monitor.ts flags, built without parsing so the script and the generated configuration
// reference (lib/docs/config-reference.ts) read the same definitions.
import { flag } from "../script/flag-parsers.ts";
import { scriptParser } from "../script/script-parser.ts";
import { decimal, integer, text } from "../config/parsers.ts";
import { KIND_CONTEXT } from "../k8s/cluster.ts";
import { RUN_ID } from "../config/run-id.ts";
import { ABANDONED_GRACE_MS, ABANDONED_READINGS, MONITOR_EXIT } from "./watch-end.ts";

const USAGE = [
  "Without --run-id: lists the runs of the broker namespace with their state (active, finished, abandoned and why), age, chunks done and dead letters.",
  "With --run-id: shows that run's chunks done, waiting, in flight per worker, dead letters, throughput, ETA and the best values so far (as its coordinator publishes them).",
  "With --web: serves the same, live, as a read-only web page on 127.0.0.1 (runs, one run's progress, workers, chunks in flight, dead letters, failed parameters, the report history), until Ctrl-C; without --backend it watches both brokers.",
  `Exit codes: 0 a snapshot, Ctrl-C, or a watched run settled (every chunk accepted or dead-lettered); 2 bad input or no such run; ${MONITOR_EXIT.gone} the watched run is gone from the broker (purged, usually after it finished); ${MONITOR_EXIT.abandoned} the watched run is abandoned (nobody worked on it for ${ABANDONED_READINGS} readings and ${ABANDONED_GRACE_MS / 1000} s).`,
].join("\n\n");

export function monitorParser(argv: string[]) {
  return scriptParser(argv, "monitor.ts", USAGE)
    .option("backend", { choices: ["redis", "rabbitmq"] as const, describe: "queue backend (default redis; with --web both)" })
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "run to show (default: list every run of the namespace with its state)" })
    .option("watch", { coerce: flag("watch", decimal(0.2, 3600)), describe: "refresh every N seconds: a run until it settles, is gone or is abandoned; the list until Ctrl-C" })
    .option("json", { type: "boolean", default: false, describe: "one JSON line per reading (the list: an array of runs; a watch that stops by itself ends with {\"stopped\": …})" })
    .option("platform", { choices: ["kind", "local"] as const, describe: "kind: the broker inside the cluster, through a port-forward of the monitor's own (closed on exit); default: kind when ttg-sandbox exists, TTG's broker is deployed there and no REDIS_URL/AMQP_URL/host is set" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kind: the kube context of the cluster" })
    .option("web", { type: "boolean", default: false, describe: "serve the read-only web dashboard and print its URL; runs until Ctrl-C" })
    .option("port", { coerce: flag("port", integer(0, 65535)), default: 8090, describe: "--web: the port (0: any free one)" })
    .option("host", { coerce: flag("host", text(/^[A-Za-z0-9.:-]+$/, "a host name or IP address")), default: "127.0.0.1", describe: "--web: the address to listen on; anything but 127.0.0.1 shows the runs to the network (a warning is printed)" })
    .option("reports", { type: "string", default: "reports", describe: "reports folder (RabbitMQ without rabbitmqctl: its runs' queues are looked for; a purged run's report)" });
}
