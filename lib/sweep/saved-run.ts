// reports/<run>/run.json: a run's resolved configuration, saved when it starts, so that
// `demo.ts --resume RUN_ID` runs the rest of it exactly as it began (same plan, compute, workers,
// broker variables) without the user repeating a single flag.
import { existsSync } from "node:fs";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BadInput } from "../script/bad-input.ts";
import type { SweepConfig } from "./sweep-config.ts";

export const SAVED_RUN_FILE = "run.json";
const SAVED_RUN_VERSION = 1;

export type SavedRun = { version: number; startedAt: string; config: SweepConfig };

/** Credentials never go into the report folder: a resume takes them from its own environment. */
const SECRET = /PASSWORD|_URL$/;

/** The saved configuration with the resuming environment's credentials put back. */
export function resumedConfig(saved: SavedRun, workerEnvNow: Record<string, string>): SweepConfig {
  const secrets = Object.fromEntries(Object.entries(workerEnvNow).filter(([name]) => SECRET.test(name)));
  return { ...saved.config, workerEnv: { ...saved.config.workerEnv, ...secrets } };
}

export async function saveRun(dir: string, config: SweepConfig, startedAt: Date): Promise<void> {
  await mkdir(dir, { recursive: true });
  const workerEnv = Object.fromEntries(Object.entries(config.workerEnv).filter(([name]) => !SECRET.test(name)));
  const saved: SavedRun = { version: SAVED_RUN_VERSION, startedAt: startedAt.toISOString(), config: { ...config, workerEnv } };
  await writeFile(join(dir, SAVED_RUN_FILE), `${JSON.stringify(saved, null, 2)}\n`);
}

/** Whether `dir` holds a saved run (the demo started it). */
export function hasSavedRun(dir: string): boolean {
  return existsSync(join(dir, SAVED_RUN_FILE));
}

/** The saved run in `dir`; bad input naming the fix when there is none. */
export async function loadSavedRun(dir: string, runId: string): Promise<SavedRun> {
  const path = join(dir, SAVED_RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new BadInput(`Cannot resume run ${runId}: ${path} does not exist (no run of that id was started with these --reports); list runs with ./runbook/monitor.ts.`);
  }
  const saved = JSON.parse(text) as Partial<SavedRun>;
  if (saved.version !== SAVED_RUN_VERSION || !saved.config || saved.config.runId !== runId || !saved.startedAt) {
    throw new BadInput(`Cannot resume run ${runId}: ${path} is not a saved run of version ${SAVED_RUN_VERSION}; start the run again with ./runbook/demo.ts --run-id ${runId}.`);
  }
  return saved as SavedRun;
}
