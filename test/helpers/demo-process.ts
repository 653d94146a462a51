// runbook/demo.ts as a real child process, always with a deadline: synchronously (runDemo) or in
// the background (startDemo, for demos that run side by side). Random run ids and namespaces keep
// a test's runs apart from anything else on the same brokers.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { within } from "./wait-for.ts";

export type DemoResult = { code: number | null; stdout: string; stderr: string; lines: string[]; path: string };

/** env: added to the test's environment; a variable set to undefined is removed. */
export type DemoOptions = { env?: Record<string, string | undefined>; timeoutMs?: number };

export type DemoProcess = {
  pid: number | undefined;
  /** The demo's result, or after timeoutMs: SIGKILL and an error showing its output. */
  finished(timeoutMs?: number): Promise<DemoResult>;
  /** SIGKILL to the demo and the workers it started (its own process group). */
  kill(): void;
};

const DEMO = ["--import", "tsx", "runbook/demo.ts"];

/**
 * Passed to every worker a test's demo starts: idle queue workers notice the settled run (and
 * leave) within 0.2 s rather than the product's 2 s, which the demo would otherwise wait out.
 */
const TEST_WORKER_ENV = { IDLE_PROBE_SECONDS: "0.2" };
const DEFAULT_TIMEOUT_MS = 180_000;

/** A run id no other test or run on the machine will choose: `<label>-<8 hex>`. */
export function uniqueRunId(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}`;
}

/** A broker namespace of the test's own (QUEUE_NAMESPACE). */
export function testNamespace(): string {
  return `ttgtest-${randomBytes(4).toString("hex")}`;
}

function demoResult(code: number | null, stdout: string, stderr: string): DemoResult {
  const lines = stdout.trimEnd().split("\n");
  return { code, stdout, stderr, lines, path: lines.at(-1) ?? "" };
}

export function runDemo(args: readonly string[], { env = {}, timeoutMs = DEFAULT_TIMEOUT_MS }: DemoOptions = {}): DemoResult {
  const r = spawnSync(process.execPath, [...DEMO, ...args], { encoding: "utf8", env: { ...process.env, ...TEST_WORKER_ENV, ...env }, timeout: timeoutMs });
  const timedOut = r.error ? `\n(demo ${r.error.message})` : "";
  return demoResult(r.status, r.stdout, r.stderr + timedOut);
}

export function startDemo(args: readonly string[], { env = {} }: DemoOptions = {}): DemoProcess {
  // Its own process group, so a kill also reaches the local workers it started.
  const child = spawn(process.execPath, [...DEMO, ...args], { env: { ...process.env, ...TEST_WORKER_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<DemoResult>((resolve) => child.once("close", (code) => resolve(demoResult(code, stdout, stderr))));
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  };
  return {
    pid: child.pid,
    kill,
    finished: (timeoutMs = DEFAULT_TIMEOUT_MS) =>
      within(closed, timeoutMs, `demo ${args.join(" ")} to finish`).catch((error: unknown) => {
        kill();
        throw new Error(`${(error as Error).message}; its output:\n${stdout.slice(-2000)}${stderr.slice(-2000)}`, { cause: error });
      }),
  };
}
