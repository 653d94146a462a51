// --platform default: kind when the ttg-sandbox cluster exists, else local.
import { CLUSTER_NAME } from "../k8s/cluster.ts";
import { kindClusters } from "../kind/kind.ts";
import type { Run } from "../shell/run.ts";
import { hasTool } from "../shell/tools.ts";

export type PlatformChoice = { platform: "kind" | "local"; reason: string };

export async function detectPlatform(run: Run): Promise<PlatformChoice> {
  if (!hasTool("kind")) return { platform: "local", reason: "kind is not installed" };
  try {
    const clusters = await kindClusters(run);
    if (clusters.includes(CLUSTER_NAME)) return { platform: "kind", reason: `kind cluster ${CLUSTER_NAME} exists` };
    return { platform: "local", reason: `no kind cluster ${CLUSTER_NAME} (create it with ./runbook/setup.ts)` };
  } catch (error) {
    return { platform: "local", reason: `kind could not list clusters (${(error as Error).message.split("\n")[0]})` };
  }
}
