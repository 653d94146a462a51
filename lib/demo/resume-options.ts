// demo.ts --resume RUN_ID: the interrupted run's own configuration (reports/<run>/run.json), with
// the credentials of the resuming environment and this invocation's --yes / --dry-run / --verbose /
// --context / --no-build. A sweep run resumes with its own sweep (run.json), whatever the file says now.
import { join } from "node:path";
import { BadInput } from "../script/bad-input.ts";
import { reportDir } from "../report/write-report.ts";
import { loadSavedRun, resumedConfig, type SavedRun } from "../sweep/saved-run.ts";
import type { DemoOptions } from "./demo-options.ts";
import { hasJournal } from "./run-folder.ts";
import { checkSameSweep } from "./same-sweep.ts";

export async function resumeDemoOptions(given: DemoOptions, runId: string): Promise<{ opts: DemoOptions; saved: SavedRun }> {
  const dir = reportDir(given.reportsDir, runId);
  const saved = await loadSavedRun(dir, runId);
  // The run's own sweep, from run.json: the plan on the broker was loaded with its digest.
  checkSameSweep(given, saved.config, `resume run ${runId}`);
  const cfg = { ...resumedConfig(saved, given.workerEnv), reportsDir: given.reportsDir };
  if (cfg.backend === "static") {
    throw new BadInput(`Cannot resume run ${runId}: a static run keeps no state on a broker; start it again with ./runbook/demo.ts --backend static --run-id ${runId}.`);
  }
  if (!(await hasJournal(cfg))) {
    throw new BadInput(`Cannot resume run ${runId}: it has finished (its report is ${join(dir, "report.json")}); nothing is left to compute.`);
  }
  const opts: DemoOptions = {
    ...cfg,
    chunkSizeAuto: false,
    platformChoice: cfg.platform,
    kubeContext: given.kubeContext,
    build: given.build,
    yes: given.yes,
    dryRun: given.dryRun,
    verbose: given.verbose,
    resume: runId,
  };
  return { opts, saved };
}
