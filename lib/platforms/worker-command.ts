// The command that starts a worker: worker/main.ts under the runtime running us (Node + tsx, or
// Deno), or under Node the bundled worker (lib/platforms/worker-bundle.ts), which starts faster.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureWorkerBundle } from "./worker-bundle.ts";

export type WorkerCommand = {
  command: string;
  args: string[];
  /** The bundled worker the command runs, if it runs one. */
  bundle?: string;
};

function isDeno(): boolean {
  return (process.versions as Record<string, string | undefined>).deno !== undefined;
}

function workerMainPath(): string {
  return fileURLToPath(new URL("../../worker/main.ts", import.meta.url));
}

/** worker/main.ts from the sources: `node --import tsx` or `deno run -A`. */
export function workerCommand(): WorkerCommand {
  const main = workerMainPath();
  if (isDeno()) return { command: process.execPath, args: ["run", "-A", main] };
  return { command: process.execPath, args: ["--import", import.meta.resolve("tsx"), main] };
}

export function bundledWorkerCommand(bundleMain: string): WorkerCommand {
  return { command: process.execPath, args: [bundleMain], bundle: bundleMain };
}

/** What local workers run: under Node the up-to-date bundle (built now if a source changed), under Deno the sources. */
export async function localWorkerCommand(options: { cacheDir?: string } = {}): Promise<WorkerCommand> {
  if (isDeno()) return workerCommand();
  return bundledWorkerCommand((await ensureWorkerBundle(options)).main);
}

/** Throws when the command's bundle has gone since it was prepared (a cache removed mid-run). */
export function assertRunnable(cmd: WorkerCommand): void {
  if (cmd.bundle !== undefined && !existsSync(cmd.bundle)) {
    throw new Error(`Cannot start a worker: its bundle ${cmd.bundle} is gone; start the run again to bundle it anew`);
  }
}
