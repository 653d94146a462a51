// The real runner: zx with arguments passed as an array (zx quotes each one; nothing is
// concatenated into a command string by hand).
import { $, type ProcessPromise } from "zx";
import { CommandError, type Run, type RunningCommand, type Shell, type Start } from "./run.ts";
import { requireTool } from "./tools.ts";

export const zxRun: Run = async (cmd, args, opts = {}) => {
  requireTool(cmd);
  const shell = $({
    nothrow: true,
    quiet: true,
    ...(opts.input === undefined ? {} : { input: opts.input }),
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    ...(opts.inherit ? { stdio: ["pipe", "inherit", "inherit"] as const } : {}),
  });
  const out = await shell`${cmd} ${args}`;
  const result = { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? 1 };
  if (result.exitCode !== 0 && !opts.allowFailure) throw new CommandError(cmd, args, result);
  return result;
};

const zxStart: Start = (cmd, args) => {
  requireTool(cmd);
  const child: ProcessPromise = $({ nothrow: true, quiet: true })`${cmd} ${args}`;
  const listeners: ((line: string, stream: "stdout" | "stderr") => void)[] = [];
  const forward = (stream: "stdout" | "stderr") => {
    let rest = "";
    child[stream].on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) for (const l of listeners) l(line.replace(/\r$/, ""), stream);
    });
    child[stream].on("end", () => {
      if (rest) for (const l of listeners) l(rest, stream);
      rest = "";
    });
  };
  forward("stdout");
  forward("stderr");
  let done = false;
  const exited = (async (): Promise<number | null> => {
    const out = await child;
    done = true;
    return out.signal ? null : out.exitCode;
  })();
  const running: RunningCommand = {
    onLine: (listener) => void listeners.push(listener),
    exited,
    kill: (signal = "SIGTERM") => {
      if (!done) void child.kill(signal).catch(() => undefined);
    },
  };
  return running;
};

export const realShell: Shell = { run: zxRun, start: zxStart, dryRun: false };
