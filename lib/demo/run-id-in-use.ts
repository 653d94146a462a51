// A new run (not --resume) whose id already has a folder from a run of another plan is refused
// before anything is removed: that folder holds the earlier run's report, or what its resume needs.
import { join } from "node:path";
import { reportDir } from "../report/write-report.ts";
import { hasSavedRun, loadSavedRun, SAVED_RUN_FILE, type SavedRun } from "../sweep/saved-run.ts";
import { chunkSizeChosen, runPlanOf, RunIdTaken, samePlan } from "../sweep/run-plan.ts";
import type { SweepConfig } from "../sweep/sweep-config.ts";
import { resumeCommand } from "./resume-command.ts";
import { hasJournal } from "./run-folder.ts";

async function savedRunIn(dir: string, runId: string): Promise<SavedRun | undefined> {
  if (!hasSavedRun(dir)) return undefined;
  // A run.json this version cannot read names no plan to compare with.
  return loadSavedRun(dir, runId).catch(() => undefined);
}

export async function refuseRunOfAnotherPlan(cfg: SweepConfig): Promise<void> {
  const dir = reportDir(cfg.reportsDir, cfg.runId);
  const saved = await savedRunIn(dir, cfg.runId);
  if (!saved) return;
  const was = runPlanOf(saved.config);
  const now = runPlanOf(cfg);
  if (samePlan(was, now, { chunkSize: chunkSizeChosen(saved.config, cfg), sweep: true })) return;
  const where = join(dir, SAVED_RUN_FILE);
  if (await hasJournal(cfg)) {
    throw new RunIdTaken(was, now, `${where}, interrupted`, `finish it with ${resumeCommand(cfg)}, or use another --run-id`);
  }
  throw new RunIdTaken(was, now, where, `use another --run-id, or remove ${dir} to use this one again`);
}
