// Names every kind/Kubernetes script agrees on: one cluster, one image version (the original's scripts disagreed on both).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLUSTER_NAME = "ttg-sandbox";
export const KIND_CONTEXT = `kind-${CLUSTER_NAME}`;
/** The label kind puts on its node containers: the only safe way to find them (never by name). */
export const KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const KIND_CONFIG_PATH = fileURLToPath(new URL("../../k8s/kind-config.yaml", import.meta.url));
export const K8S_DIR = fileURLToPath(new URL("../../k8s/", import.meta.url));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export const IMAGE_REPOSITORY = "ttg-worker";

/** `ttg-worker:v2.0.0`, or `<registry>/ttg-worker:v2.0.0`. */
export function workerImage(version = packageVersion(), registry?: string): string {
  const tag = version.startsWith("v") ? version : `v${version}`;
  return `${registry ? `${registry.replace(/\/+$/, "")}/` : ""}${IMAGE_REPOSITORY}:${tag}`;
}
