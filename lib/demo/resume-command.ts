// The command that finishes an interrupted run, as a user would type it: its id, and its --reports
// when that is not the default (a resume finds the run's folder there).
import { formatCommand } from "../shell/run.ts";
import { DEFAULT_REPORTS_DIR } from "./demo-options.ts";

export function resumeCommand(run: { runId: string; reportsDir: string }): string {
  const reports = run.reportsDir === DEFAULT_REPORTS_DIR ? [] : ["--reports", run.reportsDir];
  return formatCommand("./runbook/demo.ts", ["--resume", run.runId, ...reports]);
}
