// The one seam for shell-outs: every call to kind, docker and kubectl goes through a Run.
// Real runs use zx (lib/shell/zx-runner.ts); --dry-run swaps in a runner that only prints
// (lib/shell/dry-runner.ts); tests put fake executables first on PATH.
import { quote } from "zx";

export type RunOptions = {
  /** Written to the command's stdin (manifests for `kubectl apply -f -`). */
  input?: string;
  /** What the input is, for a dry run's preview ("deployment/ttg-redis, service/ttg-redis"). */
  inputSummary?: string;
  /** A non-zero exit is returned instead of thrown. */
  allowFailure?: boolean;
  /** Overrides the read-only classification of lib/shell/read-only.ts for this call. */
  readOnly?: boolean;
  /** Show the command's output live (docker build) instead of capturing it. */
  inherit?: boolean;
  timeoutMs?: number;
};

export type RunResult = { stdout: string; stderr: string; exitCode: number };

export type Run = (cmd: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** A long-running command whose output is read line by line (kubectl logs -f, port-forward). */
export type RunningCommand = {
  onLine(listener: (line: string, stream: "stdout" | "stderr") => void): void;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
};

export type Start = (cmd: string, args: readonly string[]) => RunningCommand;

/** The runner pair a script or platform receives: swap both for a dry run. */
export type Shell = { run: Run; start: Start; dryRun: boolean };

/** The command as a user would type it, quoted where needed. */
export function formatCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : quote(a))).join(" ");
}

export class CommandError extends Error {
  readonly exitCode: number;
  readonly stderr: string;
  constructor(cmd: string, args: readonly string[], result: RunResult) {
    const why = result.stderr.trim().split("\n").at(-1) || `exit code ${result.exitCode}`;
    super(`Cannot run ${formatCommand(cmd, args)}: ${why}`);
    this.name = "CommandError";
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }
}
