// Starts a worker as a real child process (worker/main.ts from the sources unless told another
// command, e.g. the bundle) and collects its output lines.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { workerCommand, type WorkerCommand } from "../../lib/platforms/worker-command.ts";
import { parseLogLine, type ParsedLogLine } from "../../lib/log/parse-log-line.ts";
import { waitFor } from "./wait-for.ts";

export type WorkerProcess = {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const events = () => stdout.map(parseLogLine).filter((e): e is ParsedLogLine => e !== undefined);
  return {
    child,
    stdout,
    stderr,
    exited,
    events,
    waitForEvent: (pred, what, timeoutMs) => waitFor(() => events().find(pred), what, timeoutMs),
    summary: () => events().find((e) => e.event === "SUMMARY")?.fields,
  };
}
