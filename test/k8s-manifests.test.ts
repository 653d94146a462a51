// Every manifest in k8s/ and every object the builders produce validates against the
// Kubernetes schema (kubernetes-models; KEDA objects with @kubernetes-models/keda), carries the
// project's labels, and is hardened (docs/kubernetes.md).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { WORKER_VARIABLES } from "../lib/config/worker-variables.ts";
import { brokerObjects, brokerSecret, redisInsightObjects } from "../lib/k8s/broker-objects.ts";
import { K8S_DIR, packageVersion } from "../lib/k8s/cluster.ts";
import { kedaScaledObject, kedaTriggerAuthentication } from "../lib/k8s/keda-objects.ts";
import { brokerSelector, LABEL, workerSelector } from "../lib/k8s/labels.ts";
import { MANIFESTS, renderManifest } from "../lib/k8s/manifests.ts";
import { autoscaledWorkerDeployment, queueWorkerJob, staticIndexedJob, workerPod } from "../lib/k8s/worker-objects.ts";

type Obj = { apiVersion: string; kind: string; metadata?: { name?: string; labels?: Record<string, string> }; [k: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Pod": Pod,
  "v1/Service": Service,
  "v1/Secret": Secret,
  "v1/ConfigMap": ConfigMap,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  assert.ok(Model, `no schema model for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate();
}

function manifestObjects(file: string): Obj[] {
  return parseAllDocuments(readFileSync(join(K8S_DIR, file), "utf8")).map((d) => d.toJS() as Obj);
}

const KUBE_FILES = Object.keys(MANIFESTS).filter((f) => f !== "kind-config.yaml");

function podSpecs(o: Obj): Record<string, unknown>[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === "Pod") return [spec ?? {}];
  const template = spec?.template as { spec?: Record<string, unknown> } | undefined;
  return template?.spec ? [template.spec] : [];
}

test("k8s/ holds exactly the rendered manifests, up to date (regenerate: node --import tsx lib/k8s/manifests.ts)", () => {
  const onDisk = readdirSync(K8S_DIR).filter((f) => f.endsWith(".yaml")).sort();
  assert.deepEqual(onDisk, Object.keys(MANIFESTS).sort());
  for (const file of onDisk) assert.equal(readFileSync(join(K8S_DIR, file), "utf8"), renderManifest(file), `${file} is out of date`);
});

test("every manifest object validates against the Kubernetes (or KEDA) schema", () => {
  for (const file of KUBE_FILES) for (const o of manifestObjects(file)) validate(o);
});

test("the kind config: cluster ttg-sandbox, 1 control-plane + 3 workers", () => {
  const [config] = manifestObjects("kind-config.yaml") as unknown as [{ kind: string; apiVersion: string; name: string; nodes: { role: string }[] }];
  assert.equal(config.kind, "Cluster");
  assert.equal(config.apiVersion, "kind.x-k8s.io/v1alpha4");
  assert.equal(config.name, "ttg-sandbox");
  assert.deepEqual(config.nodes.map((n) => n.role), ["control-plane", "worker", "worker", "worker"]);
});

test("every object carries the project's labels; per-run objects carry the run id", () => {
  for (const file of KUBE_FILES) {
    for (const o of manifestObjects(file)) {
      const l = o.metadata?.labels ?? {};
      const where = `${file}: ${o.kind}/${o.metadata?.name}`;
      assert.equal(l[LABEL.partOf], "ttg", where);
      assert.equal(l[LABEL.project], "distributed-compute", where);
      assert.equal(l[LABEL.version], packageVersion(), where);
      assert.ok(["ttg-worker", "ttg-redis", "ttg-rabbitmq", "redis-insight"].includes(l[LABEL.name] ?? ""), where);
      assert.ok(["worker", "broker", "monitoring"].includes(l[LABEL.component] ?? ""), where);
      assert.ok(["worker", "redis", "rabbitmq", "monitoring"].includes(l[LABEL.ttgComponent] ?? ""), where);
      if (l[LABEL.name] === "ttg-worker") assert.ok(l[LABEL.runId], `${where} has no run id`);
    }
  }
});

test("every pod is hardened, has requests and limits, and uses a pinned image", () => {
  const expected: Record<string, { requests: object; limits: object }> = {
    worker: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    redis: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    rabbitmq: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
  };
  let pods = 0;
  for (const file of KUBE_FILES) {
    for (const o of manifestObjects(file)) {
      for (const spec of podSpecs(o)) {
        pods++;
        const where = `${file}: ${o.kind}/${o.metadata?.name}`;
        assert.equal((spec.securityContext as { runAsNonRoot?: boolean }).runAsNonRoot, true, where);
        const volumes = (spec.volumes as { name: string; emptyDir?: object }[]) ?? [];
        for (const c of spec.containers as Record<string, unknown>[]) {
          assert.deepEqual(c.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          }, where);
          assert.match(String(c.image), /:[\w.-]+$/, where);
          assert.doesNotMatch(String(c.image), /:latest$/, where);
          assert.equal(c.imagePullPolicy, "IfNotPresent", where);
          const r = c.resources as { requests?: object; limits?: object };
          assert.ok(r.requests && r.limits, where);
          const table = expected[String(c.name)];
          if (table) assert.deepEqual(r, table, where);
          // Writable paths under a read-only root are emptyDirs or volumes, /tmp always.
          assert.ok(volumes.some((v) => v.name === "tmp" && v.emptyDir), where);
        }
      }
    }
  }
  assert.ok(pods >= 8);
});

test("workers: image ttg-worker:v<package version>, env names from WORKER_VARIABLES, credentials only from Secrets", () => {
  for (const file of KUBE_FILES) {
    for (const o of manifestObjects(file)) {
      if (o.metadata?.labels?.[LABEL.name] !== "ttg-worker") continue;
      for (const spec of podSpecs(o)) {
        for (const c of spec.containers as { image: string; env: { name: string; value?: string; valueFrom?: object }[] }[]) {
          assert.equal(c.image, `ttg-worker:v${packageVersion()}`);
          for (const e of c.env) {
            assert.ok(e.name in WORKER_VARIABLES, `${file}: ${e.name} is not a worker variable`);
            if (/PASSWORD|USER/.test(e.name)) assert.ok(e.valueFrom && e.value === undefined, `${file}: ${e.name} must come from a Secret`);
          }
        }
      }
    }
  }
  const text = KUBE_FILES.map((f) => readFileSync(join(K8S_DIR, f), "utf8")).join("\n");
  assert.doesNotMatch(text, /guest/);
  const secrets = manifestObjects("secrets.template.yaml") as unknown as { stringData: Record<string, string> }[];
  for (const s of secrets) assert.ok(Object.values(s.stringData).every((v) => v.includes("${") || v === "ttg"), "secrets are placeholders only");
});

test("queue workers are told which backend, run and broker; static Job's TOTAL_WORKERS equals its completions", () => {
  const env = (o: Obj) =>
    Object.fromEntries(((podSpecs(o)[0]?.containers as { env: { name: string; value?: string }[] }[])[0]?.env ?? []).map((e) => [e.name, e.value ?? "(ref)"]));
  const redis = env(queueWorkerJob({ runId: "r1", backend: "redis", image: "i:1" }, 4) as Obj);
  assert.equal(redis.QUEUE_MODE, "true");
  assert.equal(redis.QUEUE_BACKEND, "redis");
  assert.equal(redis.RUN_ID, "r1");
  assert.equal(redis.REDIS_HOST, "ttg-redis");
  assert.equal(redis.REDIS_PASSWORD, "(ref)");
  const rabbit = env(queueWorkerJob({ runId: "r1", backend: "rabbitmq", image: "i:1" }, 4) as Obj);
  assert.equal(rabbit.RABBITMQ_HOST, "ttg-rabbitmq");
  assert.equal(rabbit.RABBITMQ_USER, "(ref)");
  for (const n of [1, 5, 12]) {
    const job = staticIndexedJob({ runId: "r2", backend: "static", image: "i:1" }, n);
    assert.equal(job.spec?.completions, n);
    assert.equal(job.spec?.parallelism, n);
    assert.equal(job.spec?.completionMode, "Indexed");
    assert.equal(env(job as Obj).TOTAL_WORKERS, String(n));
    assert.equal(env(job as Obj).WORKER_ID, undefined, "WORKER_ID comes from JOB_COMPLETION_INDEX");
  }
});

test("builder output for a run validates too, and the user's env cannot redirect the broker", () => {
  const spec = { runId: "redis-20260101-000000-ab12", backend: "redis" as const, image: "ttg-worker:v2.0.0", env: { TOTAL_PARAMETERS: "500", REDIS_HOST: "127.0.0.1", REDIS_URL: "redis://127.0.0.1:6379" } };
  const objects: Obj[] = [
    workerPod(spec, "0") as Obj,
    workerPod(spec, "0", 2) as Obj,
    queueWorkerJob(spec, 3) as Obj,
    staticIndexedJob({ ...spec, backend: "static" }, 3) as Obj,
    ...(brokerObjects("redis") as Obj[]),
    ...(brokerObjects("rabbitmq") as Obj[]),
    ...(redisInsightObjects() as Obj[]),
    brokerSecret("redis", "s3cret") as Obj,
    brokerSecret("rabbitmq", "p@ss/word") as Obj,
    kedaScaledObject("redis", { runId: spec.runId }) as unknown as Obj,
  ];
  for (const o of objects) validate(o);
  const pod = workerPod(spec, "0");
  const env = Object.fromEntries((pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
  assert.equal(env.REDIS_HOST, "ttg-redis");
  assert.equal(env.REDIS_URL, undefined);
  assert.equal(env.TOTAL_PARAMETERS, "500");
  assert.ok((pod.metadata?.name ?? "").length <= 63);
  assert.equal(pod.spec?.topologySpreadConstraints?.[0]?.topologyKey, "kubernetes.io/hostname");
  const amqp = (brokerSecret("rabbitmq", "p@ss/word") as { stringData: Record<string, string> }).stringData["amqp-url"];
  assert.equal(amqp, "amqp://ttg:p%40ss%2Fword@ttg-rabbitmq:5672/");
});

test("two runs' worker Jobs and pods never share a name, and each carries its own run label — even ids that differ only by '.' vs '-' or past the first 40 characters", () => {
  const long = "x".repeat(50);
  const pairs = [
    ["run-1", "run-2"],
    ["a.b", "a-b"],
    [`${long}-one`, `${long}-two`],
  ] as const;
  for (const ids of pairs) {
    const objects = ids.map((runId) => {
      const spec = { runId, backend: "redis" as const, image: "ttg-worker:v2.0.0" };
      return [workerPod(spec, "0"), workerPod(spec, "0", 2), queueWorkerJob(spec, 3), queueWorkerJob({ ...spec, backend: "rabbitmq" }, 3), staticIndexedJob({ ...spec, backend: "static" }, 3)] as Obj[];
    });
    const [first = [], second = []] = objects;
    first.forEach((o, i) => {
      const other = second[i];
      assert.notEqual(o.metadata?.name, other?.metadata?.name, `${ids.join(" / ")}: ${o.kind} ${o.metadata?.name}`);
      assert.equal(o.metadata?.labels?.[LABEL.runId], ids[0]);
      assert.equal(other?.metadata?.labels?.[LABEL.runId], ids[1]);
      assert.ok((o.metadata?.name ?? "").length <= (o.kind === "Job" ? 52 : 63), `${o.metadata?.name} too long`);
      validate(o);
    });
  }
  // A plain run id keeps its plain names.
  assert.equal(workerPod({ runId: "run-1", backend: "redis", image: "i" }, "0").metadata?.name, "ttg-worker-run-1-0");
  assert.equal(queueWorkerJob({ runId: "run-1", backend: "redis", image: "i" }, 3).metadata?.name, "ttg-worker-redis-run-1");
});

test("worker and broker selectors never match each other's pods", () => {
  const matches = (selector: string, labels: Record<string, string>) => selector.split(",").every((kv) => {
    const [k = "", v] = kv.split("=");
    return labels[k] === v;
  });
  const workerLabels = workerPod({ runId: "r", backend: "redis", image: "i:1" }, "0").metadata?.labels ?? {};
  const brokerPodLabels = ["redis", "rabbitmq"].map(
    (b) => (brokerObjects(b as "redis").find((o) => o.kind === "Deployment") as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels,
  );
  assert.ok(matches(workerSelector(), workerLabels));
  assert.ok(matches(workerSelector("r"), workerLabels));
  for (const l of brokerPodLabels) assert.ok(!matches(workerSelector(), l));
  assert.ok(matches(brokerSelector("redis"), brokerPodLabels[0] ?? {}));
  assert.ok(!matches(brokerSelector("redis"), workerLabels));
  assert.ok(!matches(brokerSelector("redis"), brokerPodLabels[1] ?? {}));
});

test("the Dockerfile: pinned slim base, non-root, npm ci --omit=dev, the prebuilt worker bundle started without tsx, OCI labels from build args", () => {
  const docker = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8");
  assert.match(docker, /^ARG NODE_IMAGE=node:20\.\d+\.\d+-[a-z]+-slim$/m);
  assert.match(docker, /npm ci --omit=dev/);
  assert.match(docker, /^USER 1000:1000$/m);
  assert.match(docker, /^RUN node --import tsx worker\/write-bundle\.ts dist$/m);
  assert.match(docker, /^COPY --from=bundle --chown=0:0 \/app\/dist \.\/dist$/m);
  assert.match(docker, /^CMD \["node", "dist\/worker\/main\.mjs"\]$/m);
  assert.doesNotMatch(docker.slice(docker.lastIndexOf("FROM ")), /--import", "tsx"/, "the runtime starts without tsx");
  for (const l of ["version=\"${VERSION}\"", "revision=\"${REVISION}\"", "created=\"${CREATED}\""]) assert.ok(docker.includes(`org.opencontainers.image.${l}`), l);
  assert.equal((docker.match(/^FROM /gm) ?? []).length, 3);
});

test("two runs autoscale side by side: distinct KEDA objects, each on its run's own stream or queue", () => {
  for (const backend of ["redis", "rabbitmq"] as const) {
    const [a, b] = ["run-a", "run-b"].map((runId) => ({
      deployment: autoscaledWorkerDeployment({ runId, backend, image: "ttg-worker:v2.0.0" }),
      scaled: kedaScaledObject(backend, { runId }),
      auth: kedaTriggerAuthentication(backend, { runId }),
    }));
    for (const pick of [(x: typeof a) => x?.deployment.metadata?.name, (x: typeof a) => x?.scaled.metadata?.name, (x: typeof a) => x?.auth.metadata?.name]) {
      assert.notEqual(pick(a), pick(b), backend);
    }
    assert.equal(a?.scaled.spec?.scaleTargetRef.name, a?.deployment.metadata?.name);
    const where = (x: typeof a) => JSON.stringify(x?.scaled.spec?.triggers[0]?.metadata);
    assert.match(where(a), backend === "redis" ? /"stream":"ttg:tasks:run-a"/ : /"queueName":"ttg.tasks.run-a"/);
    assert.match(where(b), backend === "redis" ? /"stream":"ttg:tasks:run-b"/ : /"queueName":"ttg.tasks.run-b"/);
  }
});
