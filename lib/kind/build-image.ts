// The versioned worker image with OCI labels (version, git revision, creation date).
import { join } from "node:path";
import { UsageError } from "../script/usage-error.ts";
import type { Run } from "../shell/run.ts";
import { hasTool } from "../shell/tools.ts";
import { CLUSTER_NAME, REPO_ROOT, workerImage } from "../k8s/cluster.ts";
import { dockerBuild, dockerPush } from "./docker.ts";
import { kindLoadImage } from "./kind.ts";

export type BuildImageOptions = {
  version: string;
  registry?: string;
  noCache?: boolean;
  push?: boolean;
  loadKind?: boolean;
  /** For tests: fixed time instead of now. */
  now?: Date;
};

async function gitRevision(run: Run): Promise<string> {
  if (!hasTool("git")) return "unknown";
  const r = await run("git", ["-C", REPO_ROOT, "rev-parse", "--short=12", "HEAD"], { allowFailure: true });
  return r.exitCode === 0 ? r.stdout.trim() : "unknown";
}

/** Azure Container Registry shorthand of the original's build script: --acr NAME is NAME.azurecr.io. */
export function registryFromFlags(registry: string | undefined, acr: string | undefined): string | undefined {
  if (acr) return acr.includes(".") ? acr : `${acr}.azurecr.io`;
  return registry;
}

export async function buildWorkerImage(run: Run, o: BuildImageOptions, log: (line: string) => void): Promise<string> {
  const local = workerImage(o.version);
  const remote = o.registry ? workerImage(o.version, o.registry) : undefined;
  const revision = await gitRevision(run);
  const created = (o.now ?? new Date()).toISOString();
  log(`building ${local}${remote ? ` (also ${remote})` : ""} at revision ${revision}`);
  await dockerBuild(run, {
    image: local,
    dockerfile: join(REPO_ROOT, "Dockerfile"),
    context: REPO_ROOT,
    buildArgs: { VERSION: o.version.replace(/^v/, ""), REVISION: revision, CREATED: created },
    ...(o.noCache ? { noCache: true } : {}),
    ...(remote ? { extraTags: [remote] } : {}),
  });
  if (o.push) {
    if (!remote) throw new UsageError("Cannot push without a registry: add --registry HOST or --acr NAME");
    await dockerPush(run, remote);
    log(`pushed ${remote}`);
  }
  if (o.loadKind) {
    await kindLoadImage(run, local, CLUSTER_NAME);
    log(`loaded ${local} into kind cluster ${CLUSTER_NAME}`);
  }
  return remote ?? local;
}
