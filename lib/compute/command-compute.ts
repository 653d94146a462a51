// COMPUTE_COMMAND as a compute function: one long-lived program per compute slot, started again
// when it ends, sent each parameter's id and point. `window` tells the compute thread how many
// requests to keep in flight across all the chunks of a batch (lib/compute/command-pipeline.ts;
// the protocol lets the program answer them in any order).
import type { ComputeFunction } from "./compute-function.ts";
import { CommandChild } from "./command-child.ts";
import type { Point } from "../sweep-def/sweep-space.ts";

/** Requests in flight at once, chunk boundaries ignored: enough to hide a pipe's round trip behind the program's work. */
export const COMMAND_WINDOW = 128;

export type PipelinedCompute = ComputeFunction & { window: number; close: () => Promise<void> };

export function isPipelined(fn: ComputeFunction): fn is PipelinedCompute {
  return typeof (fn as Partial<PipelinedCompute>).window === "number";
}

/**
 * How long a program may take to start up (an interpreter loading its libraries) before its first
 * answer: PARAM_TIMEOUT_SECONDS starts counting at its first line on stdout, or after this.
 */
export const COMMAND_STARTUP_ALLOWANCE_MS = 30_000;

/** Called with each program started: its pid (so a stop can kill it) and when it has started up. */
export type OnCommandStart = (pid: number, startedUp: Promise<void>) => void;

/** onStart: the compute thread shares the pid so a stop can kill it, and pauses the time limit until it has started up. */
export async function commandCompute(command: string, pointOf: ((id: number) => Point) | undefined, onStart: OnCommandStart): Promise<PipelinedCompute> {
  let child: CommandChild | undefined;
  const current = (): CommandChild => {
    if (child?.alive) return child;
    const next = new CommandChild(command, { onStderr: (line) => process.stderr.write(`[compute-cmd] ${line}\n`) });
    child = next;
    if (next.pid !== undefined) onStart(next.pid, startedUp(next));
    return next;
  };
  await current().started;
  const fn = ((id: number) => current().evaluate(pointOf ? { id, point: pointOf(id) } : { id })) as PipelinedCompute;
  fn.window = COMMAND_WINDOW;
  fn.close = async () => {
    await child?.close();
  };
  return fn;
}

/** The program's first line, its end, or the start-up allowance, whichever comes first. */
function startedUp(child: CommandChild): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const allowance = new Promise<void>((resolve) => (timer = setTimeout(resolve, COMMAND_STARTUP_ALLOWANCE_MS)));
  return Promise.race([child.firstLine, allowance]).finally(() => clearTimeout(timer));
}
