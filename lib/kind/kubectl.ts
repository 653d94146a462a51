// One function per kubectl command TTG uses, each returning a parsed value.
import type { Run, RunningCommand, Start } from "../shell/run.ts";
import { toYaml } from "../k8s/manifests.ts";

/**
 * Which cluster and namespace. The context is required: every kubectl call names its cluster
 * (kind's kind-ttg-sandbox, or --context for AKS/EKS/GKE), so one command never puts objects in
 * two clusters by following whatever context is current.
 */
export type KubeTarget = { context: string; namespace?: string };

export type ObjectRef = { kind: string; name: string; namespace?: string; labels: Record<string, string> };

export type PodSummary = {
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  labels: Record<string, string>;
  /** Exit code of the first container once it has terminated. */
  exitCode: number | null;
  deleting: boolean;
};

export function targetArgs(t: KubeTarget): string[] {
  return ["--context", t.context, ...(t.namespace ? ["--namespace", t.namespace] : [])];
}

type Item = {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: { state?: { terminated?: { exitCode?: number } } }[];
  };
};

function items(stdout: string): Item[] {
  if (!stdout.trim()) return [];
  const parsed = JSON.parse(stdout) as { items?: Item[] };
  return parsed.items ?? [parsed as Item];
}

function isReady(item: Item): boolean {
  return item.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function parsePods(stdout: string): PodSummary[] {
  return items(stdout).map((p) => ({
    name: p.metadata?.name ?? "",
    node: p.spec?.nodeName ?? "",
    phase: p.status?.phase ?? "Unknown",
    ready: isReady(p),
    labels: p.metadata?.labels ?? {},
    exitCode: p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode ?? null,
    deleting: p.metadata?.deletionTimestamp !== undefined,
  }));
}

export async function kubectlGetPods(run: Run, selector: string, t: KubeTarget): Promise<PodSummary[]> {
  const { stdout } = await run("kubectl", [...targetArgs(t), "get", "pods", "-l", selector, "-o", "json"]);
  return parsePods(stdout);
}

/** Full pod objects (for re-creating a run's workers as they were). */
export async function kubectlGetPodObjects(run: Run, selector: string, t: KubeTarget): Promise<Record<string, unknown>[]> {
  const { stdout } = await run("kubectl", [...targetArgs(t), "get", "pods", "-l", selector, "-o", "json"]);
  return items(stdout) as Record<string, unknown>[];
}

/** Objects of the given kinds matching a label selector (read-only: a dry run still lists them). */
export async function kubectlGetObjects(run: Run, kinds: readonly string[], selector: string, t: KubeTarget): Promise<ObjectRef[]> {
  const { stdout } = await run("kubectl", [...targetArgs(t), "get", kinds.join(","), "-l", selector, "-o", "json"]);
  return items(stdout).map((i) => ({
    kind: i.kind ?? "",
    name: i.metadata?.name ?? "",
    ...(i.metadata?.namespace ? { namespace: i.metadata.namespace } : {}),
    labels: i.metadata?.labels ?? {},
  }));
}

export async function kubectlApply(run: Run, objects: readonly object[], t: KubeTarget): Promise<void> {
  const summary = objects.map((o) => {
    const k = o as { kind?: string; metadata?: { name?: string } };
    return `${(k.kind ?? "?").toLowerCase()}/${k.metadata?.name ?? "?"}`;
  });
  await run("kubectl", [...targetArgs(t), "apply", "-f", "-"], { input: toYaml(objects), inputSummary: summary.join(", ") });
}

/** Deletes exactly the named objects (kind/name), never by a broad selector. */
export async function kubectlDelete(run: Run, refs: readonly ObjectRef[], t: KubeTarget & { now?: boolean; wait?: boolean }): Promise<void> {
  if (refs.length === 0) return;
  const now = t.now ? ["--grace-period=0", "--force"] : [];
  await run("kubectl", [
    ...targetArgs(t),
    "delete",
    ...refs.map((r) => `${r.kind.toLowerCase()}/${r.name}`),
    "--ignore-not-found",
    `--wait=${t.wait ?? true}`,
    ...now,
  ]);
}

/** The fault demo's kill: the pod is gone at once, its chunk is redelivered. */
export async function kubectlDeletePodNow(run: Run, name: string, t: KubeTarget): Promise<void> {
  await run("kubectl", [...targetArgs(t), "delete", "pod", name, "--grace-period=0", "--force", "--wait=false", "--ignore-not-found"]);
}

export async function kubectlRolloutStatus(run: Run, deployment: string, timeoutSeconds: number, t: KubeTarget): Promise<void> {
  await run("kubectl", [...targetArgs(t), "rollout", "status", `deployment/${deployment}`, `--timeout=${timeoutSeconds}s`]);
}

export type NodeSummary = { name: string; ready: boolean };

export async function kubectlGetNodes(run: Run, t: KubeTarget): Promise<NodeSummary[]> {
  const { stdout } = await run("kubectl", [...targetArgs({ ...t, namespace: "" }), "get", "nodes", "-o", "json"]);
  return items(stdout).map((n) => ({ name: n.metadata?.name ?? "", ready: isReady(n) }));
}

/** The API server answers /readyz with "ok". */
export async function apiServerReady(run: Run, t: KubeTarget): Promise<boolean> {
  const r = await run("kubectl", [...targetArgs({ ...t, namespace: "" }), "get", "--raw", "/readyz", "--request-timeout=5s"], { allowFailure: true });
  return r.exitCode === 0 && r.stdout.trim() === "ok";
}

/** A Secret's data, decoded; undefined when it does not exist. */
export async function kubectlGetSecret(run: Run, name: string, t: KubeTarget): Promise<Record<string, string> | undefined> {
  const r = await run("kubectl", [...targetArgs(t), "get", "secret", name, "-o", "json", "--ignore-not-found"]);
  if (!r.stdout.trim()) return undefined;
  const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

export function kubectlLogsFollow(start: Start, pod: string, t: KubeTarget): RunningCommand {
  return start("kubectl", [...targetArgs(t), "logs", "-f", `pod/${pod}`]);
}

export function kubectlPortForward(start: Start, target: string, localPort: number, remotePort: number, t: KubeTarget): RunningCommand {
  return start("kubectl", [...targetArgs(t), "port-forward", "--address", "127.0.0.1", target, `${localPort}:${remotePort}`]);
}
