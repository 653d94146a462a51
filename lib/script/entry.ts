// Shared top level of every runbook script: run, print one line on error, set the exit code.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BadInput } from "./bad-input.ts";
import { EXIT_CODES } from "./exit-codes.ts";

/** True when the module is the program being run (not imported by a test). */
export function isMain(meta: ImportMeta): boolean {
  const main = (meta as ImportMeta & { main?: boolean }).main;
  if (typeof main === "boolean") return main;
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(meta.url));
  } catch {
    return false;
  }
}

export async function runScript(name: string, main: () => Promise<number>): Promise<void> {
  // Output piped into `head` and closed early must not stop the run itself.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  try {
    process.exitCode = await main();
  } catch (error) {
    const err = error as Error;
    process.stderr.write(`${name}: ${err.message}\n`);
    const verbose = process.argv.includes("--verbose") || process.env.LOG_LEVEL?.toUpperCase() === "DEBUG";
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = error instanceof BadInput ? EXIT_CODES.badInput : EXIT_CODES.failed;
  }
}
