// The machine and software a bench ran on: cores, memory, CPU model, runtime and broker versions, load.
import { execFile } from "node:child_process";
import { cpus, loadavg, totalmem, platform, release } from "node:os";
import { fileURLToPath } from "node:url";

export type MachineInfo = {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  deno: string | null;
  redis: string | null;
  rabbitmq: string | null;
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
