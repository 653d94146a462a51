#!/usr/bin/env -S node --import tsx
// TTG worker: configured by environment variables (see README, "Worker variables").
import { BadInput } from "../lib/script/bad-input.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { runWorker } from "./run-worker.ts";

try {
  process.exitCode = await runWorker(process.env, (line) => process.stderr.write(`${line}\n`));
} catch (error) {
  process.stderr.write(`worker: ${(error as Error).message}\n`);
  if (process.env.LOG_LEVEL?.toUpperCase() === "DEBUG") process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = error instanceof BadInput ? EXIT_CODES.badInput : EXIT_CODES.failed;
}
