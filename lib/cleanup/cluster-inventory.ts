// The kind cluster, its node containers, the worker images, and TTG's pods and jobs by run —
// read-only commands only, each through the Run seam.
import { CLUSTER_NAME, IMAGE_REPOSITORY } from "../k8s/cluster.ts";
import { dockerNodeContainers } from "../kind/docker.ts";
import { kindClusters } from "../kind/kind.ts";
import { apiServerReady, targetArgs, type KubeTarget } from "../kind/kubectl.ts";
import { LABEL, PROJECT } from "../k8s/labels.ts";
import type { Run } from "../shell/run.ts";
import { hasTool } from "../shell/tools.ts";
import { oneLine, section, unavailable, type InventoryItem, type InventorySection } from "./inventory-model.ts";

const READ = { readOnly: true, allowFailure: true, timeoutMs: 30_000 } as const;

export async function kindSection(run: Run): Promise<InventorySection> {
  const title = "kind";
  if (!hasTool("kind")) return unavailable("kind", title, "kind: not installed");
  try {
    if (!(await kindClusters(run)).includes(CLUSTER_NAME)) return section("kind", title, `kind: no cluster ${CLUSTER_NAME}`);
    if (!hasTool("docker")) return section("kind", title, `kind: cluster ${CLUSTER_NAME} (docker: not installed, node containers unknown)`);
    const nodes = await dockerNodeContainers(run, CLUSTER_NAME);
    const running = nodes.filter((n) => n.running).length;
    const items = nodes.map((n) => ({ name: n.name, detail: `docker container, ${n.state}` }));
    return section("kind", title, `kind: cluster ${CLUSTER_NAME}, ${nodes.length} node container(s), ${running} running`, items);
  } catch (error) {
    return unavailable("kind", title, `kind: ${oneLine(error)}`);
  }
}

export async function imagesSection(run: Run): Promise<InventorySection> {
  const title = "images";
  if (!hasTool("docker")) return unavailable("images", title, "docker: not installed");
  const r = await run("docker", ["images", IMAGE_REPOSITORY, "--format", "{{json .}}"], READ).catch((e: unknown) => ({ stdout: "", stderr: oneLine(e), exitCode: 1 }));
  if (r.exitCode !== 0) return unavailable("images", title, `docker: ${r.stderr.trim().split("\n").at(-1) || "the daemon does not answer"}`);
  const items = r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { Repository?: string; Tag?: string; ID?: string; Size?: string; CreatedSince?: string })
    .map((i) => ({ name: `${i.Repository ?? IMAGE_REPOSITORY}:${i.Tag ?? "?"}`, detail: `image ${i.ID ?? "?"}, ${i.Size ?? "?"}, created ${i.CreatedSince ?? "?"}` }));
  return section("images", title, `images: ${items.length} ${IMAGE_REPOSITORY} image(s)`, items);
}

type KubeItem = {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { phase?: string; active?: number; succeeded?: number; failed?: number };
};

function describeKube(i: KubeItem): string {
  if (i.kind === "Job") return `job: ${i.status?.active ?? 0} active, ${i.status?.succeeded ?? 0} succeeded, ${i.status?.failed ?? 0} failed`;
  return `pod: ${i.status?.phase ?? "Unknown"}${i.spec?.nodeName ? ` on ${i.spec.nodeName}` : ""}`;
}

const BROKER_COMPONENTS = new Set(["redis", "rabbitmq", "monitoring"]);

/** Worker pods and jobs grouped by ttg.io/run-id, and the broker pods apart from them. */
export async function kubernetesSections(run: Run, target: KubeTarget): Promise<InventorySection[]> {
  const title = "kubernetes";
  const where = `context ${target.context ?? "(current)"}`;
  if (!hasTool("kubectl")) return [unavailable("kubernetes", title, "kubectl: not installed")];
  try {
    if (!(await apiServerReady(run, target))) return [unavailable("kubernetes", title, `kubernetes: no cluster answers at ${where}`)];
    const scope = target.namespace ? [] : ["--all-namespaces"];
    const r = await run("kubectl", [...targetArgs(target), "get", "pods,jobs", ...scope, "-l", `${LABEL.project}=${PROJECT}`, "-o", "json"], READ);
    if (r.exitCode !== 0) return [unavailable("kubernetes", title, `kubernetes: ${r.stderr.trim().split("\n").at(-1) ?? "kubectl get failed"}`)];
    const list = (r.stdout.trim() ? (JSON.parse(r.stdout) as { items?: KubeItem[] }).items : []) ?? [];
    const workers: InventoryItem[] = [];
    const brokers: InventoryItem[] = [];
    for (const i of list) {
      const labels = i.metadata?.labels ?? {};
      const name = `${(i.kind ?? "?").toLowerCase()}/${i.metadata?.name ?? "?"}${i.metadata?.namespace ? ` (namespace ${i.metadata.namespace})` : ""}`;
      if (BROKER_COMPONENTS.has(labels[LABEL.ttgComponent] ?? "")) {
        if (i.kind === "Pod") brokers.push({ name, detail: `${labels[LABEL.ttgComponent]} ${describeKube(i)}` });
      } else {
        workers.push({ name, detail: describeKube(i), group: `run ${labels[LABEL.runId] ?? "(no run id)"}` });
      }
    }
    workers.sort((a, b) => (a.group ?? "").localeCompare(b.group ?? "") || a.name.localeCompare(b.name));
    const runs = new Set(workers.map((w) => w.group)).size;
    return [
      section("kubernetes", title, `kubernetes (${where}): ${workers.length} worker pod(s)/job(s) in ${runs} run(s)`, workers),
      section("brokerPods", "broker pods", `broker pods: ${brokers.length}`, brokers),
    ];
  } catch (error) {
    return [unavailable("kubernetes", title, `kubernetes: ${oneLine(error)}`)];
  }
}
