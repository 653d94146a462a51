// Workers as local child processes, each with its own log file; killed with real signals.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseLogLine } from "../log/parse-log-line.ts";
import type { Platform, WorkerExit, WorkerSpec, WorkerState } from "./platform.ts";
import { compiledComputeModule } from "./compiled-compute-module.ts";
import { StartGate } from "./start-gate.ts";
import { assertRunnable, localWorkerCommand, type WorkerCommand } from "./worker-command.ts";

type Entry = { state: WorkerState; child: ChildProcess; log: WriteStream | undefined; exited: Promise<void> };

export type LocalPlatformOptions = {
  /** Folder for worker-<id>.log files; no files when undefined. */
  logDir?: string;
  /** Folder created for files the workers write (results of static slices). */
  workDir?: string;
  /** Base environment of every worker (default: this process's environment). */
  baseEnv?: Record<string, string | undefined>;
  /** What every worker runs (default: localWorkerCommand(), prepared once per platform). */
  command?: WorkerCommand;
  /**
   * Workers that may be starting at once (spawned, not yet RUNNING); startWorker waits for a place.
   * Default: twice the machine's cores, at least 4 (start-gate.ts); Infinity spawns every worker at once.
   */
  startConcurrency?: number;
};

export class LocalPlatform implements Platform {
  readonly name = "local" as const;
  readonly #entries = new Map<string, Entry>();
  readonly #exitListeners: ((e: WorkerExit) => void)[] = [];
  readonly #lineListeners: ((id: string, line: string) => void)[] = [];
  readonly #options: LocalPlatformOptions;
  #command: Promise<WorkerCommand> | undefined;
  readonly #compiled = new Map<string, Promise<string | undefined>>();
  readonly #gate: StartGate;

  constructor(options: LocalPlatformOptions = {}) {
    this.#options = options;
    this.#gate = new StartGate(options.startConcurrency);
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });
    if (options.workDir) mkdirSync(options.workDir, { recursive: true });
  }

  /** Bundles the worker if needed, once: call it before timing a start-up; startWorker calls it too. */
  prepare(): Promise<WorkerCommand> {
    this.#command ??= this.#options.command ? Promise.resolve(this.#options.command) : localWorkerCommand();
    return this.#command;
  }

  /**
   * Compiles a TypeScript COMPUTE_MODULE once for every worker (lib/platforms/compiled-compute-module.ts):
   * call it before timing a start-up; startWorker calls it too.
   */
  prepareComputeModule(module: string | undefined): Promise<string | undefined> {
    if (module === undefined) return Promise.resolve(undefined);
    let compiled = this.#compiled.get(module);
    if (!compiled) {
      compiled = compiledComputeModule(module);
      this.#compiled.set(module, compiled);
    }
    return compiled;
  }

  async startWorker(spec: WorkerSpec): Promise<boolean> {
    const cmd = await this.prepare();
    const compiled = spec.env.COMPUTE_MODULE_JS === undefined ? await this.prepareComputeModule(spec.env.COMPUTE_MODULE) : undefined;
    if (this.#entries.get(spec.id)?.state.status === "running") {
      throw new Error(`Cannot start worker ${spec.id}: it is already running`);
    }
    assertRunnable(cmd);
    const { command, args } = cmd;
    // Up once it logs RUNNING (it took its first look for work), or gone once it exits.
    const started = await this.#gate.enter();
    if (!started) return false;
    const child = spawn(command, args, {
      env: { ...(this.#options.baseEnv ?? process.env), ...spec.env, ...(compiled ? { COMPUTE_MODULE_JS: compiled } : {}), WORKER_ID: spec.id },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = this.#options.logDir
      ? createWriteStream(join(this.#options.logDir, `worker-${spec.id}.log`), { flags: "a" })
      : undefined;
    const state: WorkerState = {
      id: spec.id,
      handle: String(child.pid ?? "?"),
      node: hostname(),
      status: "running",
      exitCode: null,
      signal: null,
      startedAt: new Date(),
      exitedAt: undefined,
    };
    const forward = (stream: NodeJS.ReadableStream | null) => {
      if (!stream) return Promise.resolve();
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (line) => {
        log?.write(`${line}\n`);
        if (state.status === "running" && line.includes("RUNNING") && parseLogLine(line)?.event === "RUNNING") started();
        for (const listener of this.#lineListeners) listener(spec.id, line);
      });
      return new Promise<void>((resolve) => lines.once("close", resolve));
    };
    const outputDone = Promise.all([forward(child.stdout), forward(child.stderr)]);
    const exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        log?.write(`spawn error: ${error.message}\n`);
        started();
      });
      child.once("close", (code, signal) => {
        started();
        void outputDone.then(() => {
          state.status = "exited";
          state.exitCode = code;
          state.signal = signal;
          state.exitedAt = new Date();
          log?.end();
          for (const listener of this.#exitListeners) {
            listener({ id: spec.id, code, signal, at: state.exitedAt });
          }
          resolve();
        });
      });
    });
    this.#entries.set(spec.id, { state, child, log, exited });
    return true;
  }

  cancelPendingStarts(): void {
    this.#gate.cancelWaiting();
  }

  /** How many workers may be starting at once. */
  get startConcurrency(): number {
    return this.#gate.limit;
  }

  workers(): WorkerState[] {
    return [...this.#entries.values()].map((e) => ({ ...e.state }));
  }

  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry || entry.state.status === "exited") throw new Error(`Cannot kill worker ${id}: it is not running`);
    entry.child.kill(signal);
  }

  /** Resolves when the worker has exited and its output is flushed. */
  async waitForExit(id: string): Promise<void> {
    await this.#entries.get(id)?.exited;
  }

  async stopAll(graceMs: number): Promise<void> {
    // A start still waiting for its turn would spawn a worker after this stop.
    this.cancelPendingStarts();
    const running = [...this.#entries.values()].filter((e) => e.state.status !== "exited");
    for (const e of running) e.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const e of running) if (e.state.status !== "exited") e.child.kill("SIGKILL");
    }, graceMs);
    await Promise.all(running.map((e) => e.exited));
    clearTimeout(timer);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListeners.push(listener);
  }

  onLine(listener: (workerId: string, line: string) => void): void {
    this.#lineListeners.push(listener);
  }
}
