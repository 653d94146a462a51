// The kind cluster: 1 control-plane + 3 workers, so the fault demo can lose a node's worker.
import { CLUSTER_NAME } from "./cluster.ts";

export type KindClusterConfig = {
  kind: "Cluster";
  apiVersion: "kind.x-k8s.io/v1alpha4";
  name: string;
  nodes: { role: "control-plane" | "worker"; labels?: Record<string, string> }[];
};

export function kindClusterConfig(workers = 3): KindClusterConfig {
  return {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: CLUSTER_NAME,
    nodes: [
      { role: "control-plane" },
      ...Array.from({ length: workers }, () => ({ role: "worker" as const, labels: { "ttg.io/node-role": "worker" } })),
    ],
  };
}
