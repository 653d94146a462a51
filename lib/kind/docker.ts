// One function per docker command.
import type { Run } from "../shell/run.ts";
import { KIND_CLUSTER_LABEL } from "../k8s/cluster.ts";

export type NodeContainer = { name: string; state: string; running: boolean };

/** The cluster's node containers, found by kind's own label (a name filter would match others). */
export async function dockerNodeContainers(run: Run, cluster: string): Promise<NodeContainer[]> {
  const { stdout } = await run("docker", ["ps", "-a", "--filter", `label=${KIND_CLUSTER_LABEL}=${cluster}`, "--format", "{{json .}}"]);
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { Names?: string; State?: string })
    .map((c) => ({ name: c.Names ?? "", state: c.State ?? "unknown", running: c.State === "running" }));
}

export async function dockerStart(run: Run, names: readonly string[]): Promise<void> {
  if (names.length > 0) await run("docker", ["start", ...names]);
}

/** True when a Docker daemon answers (the CLI alone is not enough for kind). */
export async function dockerDaemonRunning(run: Run): Promise<boolean> {
  const r = await run("docker", ["info", "--format", "{{.ServerVersion}}"], { allowFailure: true });
  return r.exitCode === 0 && r.stdout.trim() !== "";
}

export async function dockerImageExists(run: Run, image: string): Promise<boolean> {
  const r = await run("docker", ["image", "inspect", image, "--format", "{{.Id}}"], { allowFailure: true });
  return r.exitCode === 0;
}

/** Image references known to a kind node's containerd (crictl inside the node container). */
export async function nodeImages(run: Run, node: string): Promise<string[]> {
  const { stdout } = await run("docker", ["exec", node, "crictl", "images", "-o", "json"]);
  const parsed = JSON.parse(stdout || "{}") as { images?: { repoTags?: string[] }[] };
  return (parsed.images ?? []).flatMap((i) => i.repoTags ?? []);
}

export type BuildOptions = { image: string; dockerfile: string; context: string; buildArgs: Record<string, string>; noCache?: boolean; extraTags?: string[] };

function dockerBuildArgs(o: BuildOptions): string[] {
  return [
    "build",
    "-f",
    o.dockerfile,
    "-t",
    o.image,
    ...(o.extraTags ?? []).flatMap((t) => ["-t", t]),
    ...Object.entries(o.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    ...(o.noCache ? ["--no-cache"] : []),
    o.context,
  ];
}

export async function dockerBuild(run: Run, o: BuildOptions): Promise<void> {
  await run("docker", dockerBuildArgs(o), { inherit: true });
}

export async function dockerPush(run: Run, image: string): Promise<void> {
  await run("docker", ["push", image], { inherit: true });
}
