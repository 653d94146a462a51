// Workers as pods on a Kubernetes cluster (kind's ttg-sandbox by default): one standalone pod
// per worker, spread across nodes; killed for the fault demo with a forced pod deletion; log
// lines streamed with `kubectl logs -f`; exits read from the pods' status.
import { WORKER_VARIABLES, type WorkerVariableName } from "../config/worker-variables.ts";
import { KIND_CONTEXT, workerImage } from "../k8s/cluster.ts";
import { workerSelector } from "../k8s/labels.ts";
import {
  kubectlApply,
  kubectlDelete,
  kubectlDeletePodNow,
  kubectlGetPods,
  kubectlLogsFollow,
  targetArgs,
  type KubeTarget,
  type PodSummary,
} from "../kind/kubectl.ts";
import { workerPod, workerPodName, type WorkerBackend } from "../k8s/worker-objects.ts";
import type { RunningCommand, Shell } from "../shell/run.ts";
import type { Platform, WorkerExit, WorkerSpec, WorkerState } from "./platform.ts";

export type KindPlatformOptions = {
  shell: Shell;
  runId: string;
  backend: WorkerBackend;
  /** Default: ttg-worker:v<package.json version>. */
  image?: string;
  /** Default: kind's context (kind-ttg-sandbox), the namespace of that context. */
  target?: KubeTarget;
  /** How often pod status is read. */
  pollMs?: number;
};

type Entry = {
  state: WorkerState;
  attempt: number;
  pod: string;
  seen: boolean;
  logs: RunningCommand | undefined;
  killSignal: NodeJS.Signals | undefined;
  finishing: boolean;
  exited: Promise<void>;
  resolveExited: () => void;
};

/** Worker variables only (RUN_ID and backend addresses are the platform's to set). */
function workerVariables(env: Record<string, string>): Partial<Record<WorkerVariableName, string>> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k in WORKER_VARIABLES)) as Partial<Record<WorkerVariableName, string>>;
}

export class KindPlatform implements Platform {
  readonly name = "kind" as const;
  readonly #o: Required<Omit<KindPlatformOptions, "target">> & { target: KubeTarget };
  readonly #entries = new Map<string, Entry>();
  readonly #exitListeners: ((e: WorkerExit) => void)[] = [];
  readonly #lineListeners: ((id: string, line: string) => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  /** Set by close(): a poll still in flight then schedules no other (it would keep the process alive). */
  #closed = false;

  constructor(options: KindPlatformOptions) {
    this.#o = { image: workerImage(), pollMs: 1000, ...options, target: options.target ?? { context: KIND_CONTEXT } };
  }

  async startWorker(spec: WorkerSpec): Promise<boolean> {
    const previous = this.#entries.get(spec.id);
    if (previous && previous.state.status !== "exited") throw new Error(`Cannot start worker ${spec.id}: it is already running`);
    const attempt = (previous?.attempt ?? 0) + 1;
    const pod = workerPod(
      { runId: this.#o.runId, backend: this.#o.backend, image: this.#o.image, env: workerVariables(spec.env), ...(this.#o.target.namespace ? { namespace: this.#o.target.namespace } : {}) },
      spec.id,
      attempt,
    );
    await kubectlApply(this.#o.shell.run, [pod], this.#o.target);
    this.#closed = false;
    let resolveExited = () => undefined as void;
    const exited = new Promise<void>((r) => (resolveExited = r));
    this.#entries.set(spec.id, {
      state: { id: spec.id, handle: workerPodName(this.#o.runId, spec.id, attempt), node: "", status: "starting", exitCode: null, signal: null, startedAt: new Date(), exitedAt: undefined },
      attempt,
      pod: workerPodName(this.#o.runId, spec.id, attempt),
      seen: false,
      logs: undefined,
      killSignal: undefined,
      finishing: false,
      exited,
      resolveExited,
    });
    this.#schedulePoll(0);
    return true;
  }

  /** A pod is applied as soon as it is asked for: no start ever waits here. */
  cancelPendingStarts(): void {}

  workers(): WorkerState[] {
    return [...this.#entries.values()].map((e) => ({ ...e.state }));
  }

  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const e = this.#entries.get(id);
    if (!e || e.state.status === "exited") throw new Error(`Cannot kill worker ${id}: it is not running`);
    e.killSignal = signal;
    if (signal === "SIGKILL") await kubectlDeletePodNow(this.#o.shell.run, e.pod, this.#o.target);
    else await kubectlDelete(this.#o.shell.run, [{ kind: "pod", name: e.pod, labels: {} }], { ...this.#o.target, wait: false });
    this.#schedulePoll(0);
  }

  async waitForExit(id: string): Promise<void> {
    await this.#entries.get(id)?.exited;
  }

  async stopAll(graceMs: number): Promise<void> {
    const running = [...this.#entries.values()].filter((e) => e.state.status !== "exited");
    for (const e of running) e.killSignal ??= "SIGTERM";
    const pods = running.map((e) => ({ kind: "pod", name: e.pod, labels: {} }));
    const run = this.#o.shell.run;
    await run("kubectl", [...targetArgs(this.#o.target), "delete", ...pods.map((p) => `pod/${p.name}`), `--grace-period=${Math.max(1, Math.ceil(graceMs / 1000))}`, "--wait=false", "--ignore-not-found"], {
      allowFailure: true,
    }).catch(() => undefined);
    this.#schedulePoll(0);
    const all = Promise.all(running.map((e) => e.exited));
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs + 15_000).unref());
    if ((await Promise.race([all, timeout])) === "timeout") {
      for (const e of running) if (e.state.status !== "exited") await kubectlDeletePodNow(run, e.pod, this.#o.target).catch(() => undefined);
      for (const e of running) if (e.state.status !== "exited") this.#finish(e, null, "SIGKILL");
    }
    this.close();
  }

  /** Stops status polling and log streams (the pods are left as they are). Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const e of this.#entries.values()) e.logs?.kill();
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListeners.push(listener);
  }

  onLine(listener: (workerId: string, line: string) => void): void {
    this.#lineListeners.push(listener);
  }

  #schedulePoll(delayMs: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#poll(), delayMs);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const pods = await kubectlGetPods(this.#o.shell.run, workerSelector(this.#o.runId), this.#o.target);
      for (const e of this.#entries.values()) this.#update(e, pods.find((p) => p.name === e.pod));
    } catch {
      // A transient API error: the next poll tries again.
    } finally {
      this.#polling = false;
    }
    if ([...this.#entries.values()].some((e) => e.state.status !== "exited")) this.#schedulePoll(this.#o.pollMs);
  }

  #update(e: Entry, pod: PodSummary | undefined): void {
    if (e.state.status === "exited" || e.finishing) return;
    if (!pod) {
      // Gone (deleted by the fault demo or stopAll, or by someone else): a kill.
      if (e.seen || e.killSignal) this.#finishAfterLogs(e, null, e.killSignal ?? "SIGKILL");
      return;
    }
    e.seen = true;
    e.state.node = pod.node || e.state.node;
    if (pod.phase === "Running" && e.state.status === "starting") e.state.status = "running";
    if (pod.phase === "Running" || pod.phase === "Succeeded" || pod.phase === "Failed") this.#followLogs(e);
    if (pod.phase === "Succeeded" || pod.phase === "Failed") this.#finishAfterLogs(e, pod.exitCode ?? (pod.phase === "Succeeded" ? 0 : 1), null);
    else if (pod.deleting && e.killSignal) this.#finishAfterLogs(e, null, e.killSignal);
  }

  #followLogs(e: Entry): void {
    if (e.logs || this.#closed) return;
    e.logs = kubectlLogsFollow(this.#o.shell.start, e.pod, this.#o.target);
    e.logs.onLine((line) => {
      for (const l of this.#lineListeners) l(e.state.id, line);
    });
  }

  #finishAfterLogs(e: Entry, code: number | null, signal: string | null): void {
    e.finishing = true;
    const logsDone = e.logs ? e.logs.exited.then(() => undefined) : Promise.resolve();
    const grace = new Promise<void>((r) => setTimeout(r, 3000).unref());
    void Promise.race([logsDone, grace]).then(() => this.#finish(e, code, signal));
  }

  #finish(e: Entry, code: number | null, signal: string | null): void {
    if (e.state.status === "exited") return;
    e.logs?.kill();
    e.state.status = "exited";
    e.state.exitCode = code;
    e.state.signal = signal;
    e.state.exitedAt = new Date();
    for (const l of this.#exitListeners) l({ id: e.state.id, code, signal, at: e.state.exitedAt });
    e.resolveExited();
  }
}
