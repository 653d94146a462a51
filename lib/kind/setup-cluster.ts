// setup.ts: prerequisites, the ttg-sandbox cluster (created only when missing), the image.
import type { Run } from "../shell/run.ts";
import { buildWorkerImage } from "./build-image.ts";
import { CLUSTER_NAME, KIND_CONFIG_PATH, KIND_CONTEXT, packageVersion, workerImage } from "../k8s/cluster.ts";
import { kindClusters, kindCreateCluster, kindLoadImage } from "./kind.ts";
import { kubectlGetNodes } from "./kubectl.ts";
import { checkPrerequisites } from "./prerequisites.ts";

export type SetupOptions = { skipBuild?: boolean; noCache?: boolean };

export async function setupCluster(run: Run, o: SetupOptions, log: (line: string) => void): Promise<void> {
  log("[1/4] Checking prerequisites");
  await checkPrerequisites(run, ["docker", "kind", "kubectl"], log);
  log(`[2/4] Kind cluster ${CLUSTER_NAME}`);
  if ((await kindClusters(run)).includes(CLUSTER_NAME)) {
    log(`cluster ${CLUSTER_NAME} exists: keeping it`);
  } else {
    await kindCreateCluster(run, CLUSTER_NAME, KIND_CONFIG_PATH);
  }
  const image = workerImage();
  log(`[3/4] Worker image ${image}`);
  if (o.skipBuild) {
    await kindLoadImage(run, image, CLUSTER_NAME);
  } else {
    await buildWorkerImage(run, { version: packageVersion(), loadKind: true, ...(o.noCache ? { noCache: true } : {}) }, log);
  }
  log("[4/4] Nodes");
  const nodes = await kubectlGetNodes(run, { context: KIND_CONTEXT });
  for (const n of nodes) log(`  ${n.name}  ${n.ready ? "Ready" : "NotReady"}`);
  log(`Your Kubernetes sandbox is ready: ./runbook/demo.ts --platform kind`);
}
