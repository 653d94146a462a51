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
    "Removes only what TTG created: objects carrying TTG's labels on Kubernetes, or TTG's own keys (<ns>:*) and queues (<ns>.*) in the local brokers, run by run. Local brokers: without --run-id, every finished or abandoned run and the old shared layout's objects; a run still active is left alone and named, unless --force. --run-id ID: that run only (not found: one line, exit 0, nothing removed). --pods never touches the brokers; --dry-run lists exactly what would go and what is left alone. --all is pods + TTG's Redis data + TTG's RabbitMQ data (seed runbook v1.3.0 §7) and never deletes a broker or the cluster: --delete-brokers and --delete-cluster each do that on their own, previewed and confirmed on a terminal (--force skips the question, never the preview). --list shows everything TTG created, and where, and changes nothing.",
  )
    .option("list", { type: "boolean", default: false, describe: "list everything TTG created and where (read-only): cluster, images, pods by run, processes, keys, queues, reports" })
    .option("json", { type: "boolean", default: false, describe: "with --list: one JSON object" })
    .option("docker", { type: "boolean", default: false, describe: "with --list: only the kind cluster's containers and the images (the seed's list-resources --docker)" })
    .option("k8s", { type: "boolean", default: false, describe: "with --list: only the Kubernetes objects (the seed's list-resources --k8s)" })
    .option("pods", { type: "boolean", default: false, describe: "worker pods, Jobs and worker Deployments (never brokers)" })
    .option("redis", { type: "boolean", default: false, describe: "TTG's Redis data: the <ns>:* keys of finished and abandoned runs (or of --run-id) and of the old shared layout; on kind inside the cluster's ttg-redis (through a port-forward), which stays" })
    .option("rabbitmq", { type: "boolean", default: false, describe: "TTG's RabbitMQ data: the <ns>.* queues of finished and abandoned runs (or of --run-id) and of the old shared layout; on kind inside the cluster's ttg-rabbitmq (through a port-forward), which stays" })
    .option("all", { type: "boolean", default: false, describe: "--pods --redis --rabbitmq: pods + TTG's Redis data + TTG's RabbitMQ data; never a broker, never the cluster" })
    .option("delete-brokers", { type: "boolean", default: false, describe: "kind: delete the broker Deployments with their Services, volumes (PVCs) and Secrets, and RedisInsight (only ttg-redis or ttg-rabbitmq when --redis or --rabbitmq alone is given); previewed, confirmed" })
    .option("delete-cluster", { type: "boolean", default: false, describe: "delete the kind cluster ttg-sandbox and the ttg-worker images (the seed's cleanup-all); previewed, confirmed" })
    .option("keep-cluster", { type: "boolean", default: false, describe: "the seed's flag, still accepted: the cluster is kept unless --delete-cluster" })
    .option("keep-image", { type: "boolean", default: false, describe: "with --delete-cluster: keep the ttg-worker images" })
    .option("force", { type: "boolean", default: false, describe: "do not ask for confirmation (the preview is still printed); broker data: remove active runs too" })
    .option("platform", { choices: ["kind", "local"] as const, describe: "default: kind when a cluster answers at --context, else local" })
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "only this run: kind, its worker pods, Jobs and Deployments; local, its keys and queues (not found: says so, exit 0)" })
    .option("reports", { type: "string", default: "reports", describe: "reports folder (its runs' RabbitMQ queues are looked for; --list shows them)" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kube context (AKS/EKS/GKE: your context's name)" })
    .option("namespace", { type: "string", describe: "Kubernetes namespace (default: the context's; --list: all)" });
}
