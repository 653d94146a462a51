// The command that starts worker/main.ts under the runtime running us (Node + tsx, or Deno).
import { fileURLToPath } from "node:url";

export function isDeno(): boolean {
  return (process.versions as Record<string, string | undefined>).deno !== undefined;
}

export function workerMainPath(): string {
  return fileURLToPath(new URL("../../worker/main.ts", import.meta.url));
}

export function workerCommand(): { command: string; args: string[] } {
  const main = workerMainPath();
  if (isDeno()) return { command: process.execPath, args: ["run", "-A", main] };
  return { command: process.execPath, args: ["--import", import.meta.resolve("tsx"), main] };
}
