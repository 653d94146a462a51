// Starts a worker as a real child process (worker/main.ts from the sources unless told another
// command, e.g. the bundle) and collects its output lines.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { workerCommand, type WorkerCommand } from "../../lib/platforms/worker-command.ts";
import { parseLogLine, type ParsedLogLine } from "../../lib/log/parse-log-line.ts";
import { waitFor, within } from "./wait-for.ts";

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type WorkerProcess = {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<Exit>;
  /** The exit, or after timeoutMs (default 60 s): SIGKILL and an error showing the worker's last lines. */
  exitedWithin(timeoutMs?: number): Promise<Exit>;
  events(): ParsedLogLine[];
  waitForEvent(pred: (e: ParsedLogLine) => boolean, what: string, timeoutMs?: number): Promise<ParsedLogLine>;
  summary(): Record<string, unknown> | undefined;
};

export function startWorkerProcess(env: Record<string, string>, { command, args }: WorkerCommand = workerCommand()): WorkerProcess {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => stdout.push(l));
  createInterface({ input: child.stderr! }).on("line", (l) => stderr.push(l));
  const exited = new Promise<Exit>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const exitedWithin = (timeoutMs = 60_000) =>
    within(exited, timeoutMs, `worker ${env.WORKER_ID ?? child.pid} to exit`).catch((error: unknown) => {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      const tail = [...stdout.slice(-5), ...stderr.slice(-5)].join("\n");
      throw new Error(`${(error as Error).message}; its last lines:\n${tail}`, { cause: error });
    });
  const events = () => stdout.map(parseLogLine).filter((e): e is ParsedLogLine => e !== undefined);
  return {
    child,
    stdout,
    stderr,
    exited,
    exitedWithin,
    events,
    waitForEvent: (pred, what, timeoutMs) => waitFor(() => events().find(pred), what, timeoutMs),
    summary: () => events().find((e) => e.event === "SUMMARY")?.fields,
  };
}
