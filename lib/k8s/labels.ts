// The project's labels (docs/kubernetes.md). Worker and broker pods differ in app.kubernetes.io/name and
// ttg.io/component, so a selector for one never matches the other (the original's worker cleanup deleted the brokers).
import { packageVersion } from "./cluster.ts";

export const PROJECT = "distributed-compute";
export const PART_OF = "ttg";

export const APPS = {
  worker: { name: "ttg-worker", component: "worker", ttgComponent: "worker" },
  redis: { name: "ttg-redis", component: "broker", ttgComponent: "redis" },
  rabbitmq: { name: "ttg-rabbitmq", component: "broker", ttgComponent: "rabbitmq" },
  redisInsight: { name: "redis-insight", component: "monitoring", ttgComponent: "monitoring" },
} as const;

export type AppName = keyof typeof APPS;
export type Labels = Record<string, string>;

export const LABEL = {
  name: "app.kubernetes.io/name",
  partOf: "app.kubernetes.io/part-of",
  component: "app.kubernetes.io/component",
  version: "app.kubernetes.io/version",
  project: "ttg.io/project",
  ttgComponent: "ttg.io/component",
  runId: "ttg.io/run-id",
} as const;

export function labelsFor(app: AppName, opts: { runId?: string; version?: string } = {}): Labels {
  const a = APPS[app];
  return {
    [LABEL.name]: a.name,
    [LABEL.partOf]: PART_OF,
    [LABEL.component]: a.component,
    [LABEL.version]: opts.version ?? packageVersion(),
    [LABEL.project]: PROJECT,
    [LABEL.ttgComponent]: a.ttgComponent,
    ...(opts.runId === undefined ? {} : { [LABEL.runId]: opts.runId }),
  };
}

/** The stable subset used in selectors (a version bump must not orphan running objects). */
export function selectorLabels(app: AppName, runId?: string): Labels {
  const a = APPS[app];
  return {
    [LABEL.name]: a.name,
    [LABEL.partOf]: PART_OF,
    [LABEL.ttgComponent]: a.ttgComponent,
    ...(runId === undefined ? {} : { [LABEL.runId]: runId }),
  };
}

/** `kubectl -l` form: a=b,c=d. */
export function selectorString(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export function workerSelector(runId?: string): string {
  return selectorString(selectorLabels("worker", runId));
}

export function brokerSelector(backend: "redis" | "rabbitmq"): string {
  return selectorString(selectorLabels(backend));
}
