// Hardening every TTG pod shares and its requests/limits (docs/kubernetes.md "Hardening and resources").
import type { IContainer, IPodSecurityContext, IResourceRequirements, ISecurityContext, IVolume, IVolumeMount } from "kubernetes-models/v1";

export const RESOURCES = {
  worker: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  redis: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  rabbitmq: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
  redisInsight: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
} as const satisfies Record<string, IResourceRequirements>;

function containerSecurity(): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** uid/gid the image runs as (numeric, so the kubelet can check runAsNonRoot). */
export function podSecurity(uid: number): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** emptyDir volumes for the paths a read-only root filesystem still needs writable. */
export function scratchVolumes(paths: Record<string, string>): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const entries = Object.entries(paths);
  return {
    volumes: entries.map(([name]) => ({ name, emptyDir: { sizeLimit: "64Mi" } })),
    mounts: entries.map(([name, mountPath]) => ({ name, mountPath })),
  };
}

export function hardened(container: IContainer, resources: IResourceRequirements): IContainer {
  return { ...container, resources: structuredClone(resources), securityContext: containerSecurity() };
}
