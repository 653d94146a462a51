// The machine and software a bench ran on: cores, memory, CPU model, runtime and broker versions, load.
import { execFile } from "node:child_process";
import { cpus, loadavg, totalmem, platform, release } from "node:os";
import { fileURLToPath } from "node:url";
import { roundSummary, summarize, type Summary } from "./stats.ts";

export type MachineInfo = {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  deno: string | null;
  redis: string | null;
  rabbitmq: string | null;
  /** What starting Node costs here, the floor under every worker's start (absent in older reports; null: not measured). */
  nodeStart?: NodeStartCpu | null;
  /** 1-minute load average when the bench began and ended (other engineers' work shows here). */
  loadAverage: { start: number; end: number | null };
};

export function staticMachineInfo(): Omit<MachineInfo, "deno" | "redis" | "rabbitmq"> {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: { start: Number((loadavg()[0] ?? 0).toFixed(2)), end: null },
  };
}

export function currentLoad(): number {
  return Number((loadavg()[0] ?? 0).toFixed(2));
}

function output(command: string, args: string[], timeoutMs = 10_000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout) => resolve(error ? null : String(stdout)));
  });
}

/** `deno --version` of the project's dev dependency, else one on PATH. */
export async function denoVersion(): Promise<string | null> {
  const local = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
  const out = (await output(local, ["--version"])) ?? (await output("deno", ["--version"]));
  return out?.match(/deno (\S+)/)?.[1] ?? null;
}

/** The redis_version field of an INFO server reply. */
export function parseRedisVersion(info: string): string | null {
  return info.match(/^redis_version:(\S+)/m)?.[1] ?? null;
}

export type CodeVersion = { commit: string | null; modified: string[] };

/** The commit measured, and the files under worker/ and lib/ that differed from it (others edit the tree too). */
export async function codeVersion(): Promise<CodeVersion> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const commit = (await output("git", ["-C", root, "rev-parse", "--short", "HEAD"]))?.trim() || null;
  const status = (await output("git", ["-C", root, "status", "--porcelain", "--", "worker", "lib"])) ?? "";
  return { commit, modified: status.split("\n").map((l) => l.slice(3).trim()).filter(Boolean) };
}

/** CPU milliseconds (user + system) of a bare Node process up to its script's first line, and of one worker thread's start after it. */
export type NodeStartCpu = { runs: number; processCpuMs: Summary; workerThreadCpuMs: Summary };

// Prints the CPU the process had used when its first line ran, then what it used while a worker
// thread started and answered (the main thread only waits meanwhile).
const NODE_START_PROBE = `const c0 = process.cpuUsage();
const { Worker } = require("node:worker_threads");
new Worker("require('node:worker_threads').parentPort.postMessage(0)", { eval: true }).once("message", () => {
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ start: (c0.user + c0.system) / 1000, thread: (c.user + c.system) / 1000 }));
  process.exit(0);
});`;

/**
 * Starts `runs` bare Node processes (this Node) one after another and reads what their start cost in
 * CPU: machines of the same kind differ here by a factor of two, and every worker's start pays it.
 */
export async function nodeStartCpu(runs = 7): Promise<NodeStartCpu | null> {
  const start: number[] = [];
  const thread: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await output(process.execPath, ["-e", NODE_START_PROBE]);
    try {
      const r = JSON.parse(out ?? "") as { start: number; thread: number };
      start.push(r.start);
      thread.push(r.thread);
    } catch {
      return null;
    }
  }
  return { runs, processCpuMs: roundSummary(summarize(start), 3), workerThreadCpuMs: roundSummary(summarize(thread), 3) };
}
