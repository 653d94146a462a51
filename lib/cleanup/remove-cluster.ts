// cleanup.ts --delete-cluster (the seed's cleanup-all): the kind cluster ttg-sandbox and, unless
// --keep-image, the ttg-worker images. Previewed (node containers, images), then confirmed on a
// terminal; a dry run prints the commands. Only kind's own cluster: never another context.
import { CLUSTER_NAME, IMAGE_REPOSITORY } from "../k8s/cluster.ts";
import { dockerNodeContainers } from "../kind/docker.ts";
import { kindClusters, kindDeleteCluster } from "../kind/kind.ts";
import type { Shell } from "../shell/run.ts";
import { hasTool, requireTool } from "../shell/tools.ts";

type IO = { log: (line: string) => void; confirm: (question: string) => Promise<boolean> };

async function workerImages(shell: Shell): Promise<string[]> {
  if (!hasTool("docker")) return [];
  const r = await shell.run("docker", ["images", IMAGE_REPOSITORY, "--format", "{{.Repository}}:{{.Tag}}"], { readOnly: true, allowFailure: true });
  return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(`${IMAGE_REPOSITORY}:`) && !l.endsWith(":<none>"));
}

export async function removeKindCluster(shell: Shell, o: { keepImage: boolean; ask: boolean }, io: IO): Promise<void> {
  requireTool("kind");
  const exists = (await kindClusters(shell.run)).includes(CLUSTER_NAME);
  const nodes = exists && hasTool("docker") ? await dockerNodeContainers(shell.run, CLUSTER_NAME).catch(() => []) : [];
  const images = o.keepImage ? [] : await workerImages(shell);
  if (exists) io.log(`kind cluster ${CLUSTER_NAME}: ${nodes.length} node container(s) ${nodes.map((n) => n.name).join(", ")} and everything in it (--delete-cluster)`);
  else io.log(`kind cluster ${CLUSTER_NAME}: does not exist`);
  if (images.length > 0) io.log(`images: ${images.join(", ")} (--keep-image keeps them)`);
  if (!exists && images.length === 0) return;
  const what = [exists ? `kind cluster ${CLUSTER_NAME}` : "", images.length ? `${images.length} image(s)` : ""].filter(Boolean).join(" and ");
  if (!shell.dryRun && o.ask && !(await io.confirm(`Delete ${what}?`))) return io.log(`Cancelled: ${what} kept.`);
  if (exists) await kindDeleteCluster(shell.run, CLUSTER_NAME);
  if (images.length > 0) await shell.run("docker", ["rmi", ...images]);
  io.log(shell.dryRun ? `dry run: ${what} kept` : `Deleted ${what}.`);
}
