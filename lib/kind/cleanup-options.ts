// cleanup.ts flags, built without parsing so the script and the generated configuration
// reference (lib/docs/config-reference.ts) read the same definitions.
import { flag } from "../cli/flag-parsers.ts";
import { KIND_CONTEXT } from "./cluster.ts";
import { scriptParser } from "./script-options.ts";
import { RUN_ID } from "../config/run-id.ts";

export function cleanupParser(argv: string[]) {
  return scriptParser(
    argv,
    "cleanup.ts",
    "Removes only what TTG created: objects carrying TTG's labels on Kubernetes, or TTG's own keys (<ns>:*) and queues (<ns>.*) in the local brokers. --pods never touches the brokers; --dry-run lists exactly what would go. --all also deletes the kind cluster ttg-sandbox unless --keep-cluster. --list shows everything TTG created, and where, and changes nothing.",
  )
    .option("list", { type: "boolean", default: false, describe: "list everything TTG created and where (read-only): cluster, images, pods by run, processes, keys, queues, reports" })
    .option("json", { type: "boolean", default: false, describe: "with --list: one JSON object" })
    .option("pods", { type: "boolean", default: false, describe: "worker pods, Jobs and worker Deployments (never brokers)" })
    .option("redis", { type: "boolean", default: false, describe: "kind: the Redis broker (deployment, service, PVC, secret); local: TTG's <ns>:* keys" })
    .option("rabbitmq", { type: "boolean", default: false, describe: "kind: the RabbitMQ broker (deployment, service, PVC, secret); local: TTG's <ns>.* queues" })
    .option("all", { type: "boolean", default: false, describe: "all of the above, RedisInsight, and the kind cluster" })
    .option("keep-cluster", { type: "boolean", default: false, describe: "with --all: keep the kind cluster" })
    .option("force", { type: "boolean", default: false, describe: "do not ask for confirmation" })
    .option("platform", { choices: ["kind", "local"] as const, describe: "default: kind when a cluster answers at --context, else local" })
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "kind: only this run's worker objects; local: also look for this run's RabbitMQ queues" })
    .option("reports", { type: "string", default: "reports", describe: "reports folder (its runs' RabbitMQ queues are looked for; --list shows them)" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kube context (AKS/EKS/GKE: your context's name)" })
    .option("namespace", { type: "string", describe: "Kubernetes namespace (default: the context's; --list: all)" });
}
