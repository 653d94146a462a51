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

/** onStart: the pid of each program started (the compute thread shares it so a stop can kill it). */
export async function commandCompute(command: string, pointOf: ((id: number) => Point) | undefined, onStart: (pid: number) => void): Promise<PipelinedCompute> {
  let child: CommandChild | undefined;
  const current = (): CommandChild => {
    if (child?.alive) return child;
    const next = new CommandChild(command, { onStderr: (line) => process.stderr.write(`[compute-cmd] ${line}\n`) });
    child = next;
    if (next.pid !== undefined) onStart(next.pid);
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
