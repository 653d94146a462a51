// Bad compute input is caught before any chunk is taken: the coordinator loads the compute module
// once, as a worker would (in a compute thread, TypeScript included), and a module that cannot be
// loaded or exports no compute function is bad input with the real error in one line.
import { ComputeEngine } from "../compute/compute-engine.ts";
import type { Sweep } from "../sweep-def/sweep-space.ts";
import { CommandChild } from "../compute/command-child.ts";
import { BadInput } from "../script/bad-input.ts";

export async function checkComputeModule(module: string | undefined, sweep?: Sweep): Promise<void> {
  if (module === undefined) return;
  const engine = new ComputeEngine({ module, simulateWorkMs: 0, ...(sweep ? { sweep } : {}) });
  try {
    await engine.start();
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "";
    throw new BadInput(`${message.replace(/^Cannot (load|use) COMPUTE_MODULE/, "Cannot $1 the compute module")} (fix --compute or COMPUTE_MODULE)`, { cause: error });
  } finally {
    await engine.close();
  }
}

/** A COMPUTE_COMMAND whose program cannot be started (no such program) is bad input. */
export async function checkComputeCommand(command: string | undefined): Promise<void> {
  if (command === undefined) return;
  try {
    const child = new CommandChild(command, { onStderr: () => {} });
    try {
      await child.started;
    } finally {
      child.kill();
    }
  } catch (error) {
    throw new BadInput(`${(error as Error).message.split("\n")[0] ?? ""} (fix --compute-cmd or COMPUTE_COMMAND)`, { cause: error });
  }
}
