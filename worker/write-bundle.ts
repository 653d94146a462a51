// Writes the worker bundle (worker/main.ts with its compute thread and sandbox, as local workers run
// it: lib/platforms/worker-bundle.ts) into <folder>/worker/. The image's build stage runs it, and
// the image starts `node dist/worker/main.mjs`: no tsx compiling the worker at every pod start.
// Usage: node --import tsx worker/write-bundle.ts <folder>
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ensureWorkerBundle } from "../lib/platforms/worker-bundle.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { isMain, runScript } from "../lib/script/entry.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";

/** Copies the up-to-date bundle to <outDir>/worker/ (replacing what was there); returns its main file. */
export async function writeWorkerBundle(outDir: string): Promise<string> {
  const bundle = await ensureWorkerBundle();
  const target = join(resolve(outDir), "worker");
  rmSync(target, { recursive: true, force: true });
  cpSync(dirname(bundle.main), target, { recursive: true });
  return join(target, "main.mjs");
}

if (isMain(import.meta)) {
  await runScript("write-bundle", async () => {
    const [outDir, ...extra] = process.argv.slice(2);
    if (!outDir || extra.length > 0) throw new BadInput("Cannot write the worker bundle: give one output folder, e.g. node --import tsx worker/write-bundle.ts dist");
    process.stdout.write(`${await writeWorkerBundle(outDir)}\n`);
    return EXIT_CODES.ok;
  });
}
