// The worker image on every node of the kind cluster, checked before any pod is created (a
// missing image is otherwise found only when the run stalls): missing, it is loaded from the
// local Docker, or built and loaded, saying so; with build: false the caller stops at once.
import { BadInput } from "../script/bad-input.ts";
import type { Run } from "../shell/run.ts";
import { CLUSTER_NAME, packageVersion, workerImage } from "../k8s/cluster.ts";
import { buildWorkerImage } from "./build-image.ts";
import { dockerImageExists, dockerNodeContainers, nodeImages } from "./docker.ts";
import { kindLoadImage } from "./kind.ts";

function imageMatches(ref: string, image: string): boolean {
  return ref === image || ref.endsWith(`/${image}`);
}

/** The node containers of the cluster whose containerd lacks the image. */
export async function nodesMissingImage(run: Run, image: string, cluster = CLUSTER_NAME): Promise<string[]> {
  const missing: string[] = [];
  for (const c of await dockerNodeContainers(run, cluster)) {
    const refs = await nodeImages(run, c.name).catch(() => []);
    if (!refs.some((r) => imageMatches(r, image))) missing.push(c.name);
  }
  return missing;
}

export type EnsureImageOptions = { build: boolean; log: (line: string) => void; image?: string };

export async function ensureWorkerImage(run: Run, o: EnsureImageOptions): Promise<void> {
  const image = o.image ?? workerImage();
  const missing = await nodesMissingImage(run, image);
  if (missing.length === 0) return o.log(`${image} is loaded on every node`);
  const where = `${image} is not loaded on ${missing.join(", ")}`;
  if (!o.build) throw new BadInput(`Cannot start workers: ${where}; run ./runbook/build.ts --load-kind (or leave out --no-build to let the demo do it).`);
  if (await dockerImageExists(run, image)) {
    o.log(`${where}: loading it from the local Docker (kind load docker-image)`);
    await kindLoadImage(run, image, CLUSTER_NAME);
    return;
  }
  o.log(`${where} and not built: building and loading it (./runbook/build.ts --load-kind)`);
  await buildWorkerImage(run, { version: packageVersion(), loadKind: true }, o.log);
}
