// Random namespaces on shared brokers, and removal of exactly what a namespace created.
import { randomBytes } from "node:crypto";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { removeNamespace } from "../../lib/backends/purge-namespace.ts";

export type BenchNamespace = { namespace: string; runId: string };

export function newNamespace(label: string): BenchNamespace {
  const tag = randomBytes(4).toString("hex");
  return { namespace: `ttgbench-${label}-${tag}`, runId: `bench-${tag}` };
}

export async function deleteNamespace(backend: BackendName, url: string, ns: BenchNamespace): Promise<void> {
  await removeNamespace({ backend, url, namespace: ns.namespace, runIds: [ns.runId] });
}
