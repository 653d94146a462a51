// cleanup.ts flags, built without parsing so the script and the generated configuration
// reference (lib/docs/config-reference.ts) read the same definitions.
import { flag } from "../script/flag-parsers.ts";
import { KIND_CONTEXT } from "../k8s/cluster.ts";
import { shellScriptParser } from "../script/script-options.ts";
import { RUN_ID } from "../config/run-id.ts";

export function cleanupParser(argv: string[]) {
  return shellScriptParser(
    argv,
    "cleanup.ts",
    "Removes only what TTG created: objects carrying TTG's labels on Kubernetes, or TTG's own keys (<ns>:*) and queues (<ns>.*) in the local brokers, run by run. Local brokers: without --run-id, every finished or abandoned run and the old shared layout's objects; a run still active is left alone and named, unless --force. --run-id ID: that run only (not found: one line, exit 0, nothing removed). --pods never touches the brokers; --dry-run lists exactly what would go and what is left alone. --all also deletes the kind cluster ttg-sandbox unless --keep-cluster. --list shows everything TTG created, and where, and changes nothing.",
  )
    .option("list", { type: "boolean", default: false, describe: "list everything TTG created and where (read-only): cluster, images, pods by run, processes, keys, queues, reports" })
    .option("json", { type: "boolean", default: false, describe: "with --list: one JSON object" })
    .option("pods", { type: "boolean", default: false, describe: "worker pods, Jobs and worker Deployments (never brokers)" })
    .option("redis", { type: "boolean", default: false, describe: "kind: the Redis broker (deployment, service, PVC, secret); local: the <ns>:* keys of finished and abandoned runs (or of --run-id) and of the old shared layout" })
    .option("rabbitmq", { type: "boolean", default: false, describe: "kind: the RabbitMQ broker (deployment, service, PVC, secret); local: the <ns>.* queues of finished and abandoned runs (or of --run-id) and of the old shared layout" })
    .option("all", { type: "boolean", default: false, describe: "all of the above, RedisInsight, and the kind cluster" })
    .option("keep-cluster", { type: "boolean", default: false, describe: "with --all: keep the kind cluster" })
    .option("force", { type: "boolean", default: false, describe: "do not ask for confirmation; local brokers: remove active runs too" })
    .option("platform", { choices: ["kind", "local"] as const, describe: "default: kind when a cluster answers at --context, else local" })
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "only this run: kind, its worker pods, Jobs and Deployments; local, its keys and queues (not found: says so, exit 0)" })
    .option("reports", { type: "string", default: "reports", describe: "reports folder (its runs' RabbitMQ queues are looked for; --list shows them)" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kube context (AKS/EKS/GKE: your context's name)" })
    .option("namespace", { type: "string", describe: "Kubernetes namespace (default: the context's; --list: all)" });
}
