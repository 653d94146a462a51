// The platform keeps the requested number of workers while work remains: a worker that dies is
// started again, within a restart budget for the whole run (a Job's backoffLimit), so a compute
// that kills every worker it reaches ends the run instead of looping forever.
import { EXIT_CODES } from "../script/exit-codes.ts";
import type { WorkerExit } from "../platforms/platform.ts";

export const DEFAULT_RESTART_BUDGET = 6;

/** Exit codes of a worker that was asked to stop (SIGINT, SIGTERM): not a death to make up for. */
const ASKED_TO_STOP = new Set([130, 143]);

export type RestartDecision = "replace" | "budget-spent" | "keep-down";

export class WorkerRestarts {
  readonly budget: number;
  used = 0;
  /** How the last worker past the budget ended, once the budget is spent. */
  spentOn: string | undefined;

  constructor(budget = DEFAULT_RESTART_BUDGET) {
    this.budget = budget;
  }

  /** Whether a worker that ended this way is replaced: died (not done, not bad input, not stopped) while the run has work. */
  decide(exit: WorkerExit, workRemains: boolean): RestartDecision {
    const died = exit.signal !== null || (exit.code !== EXIT_CODES.ok && exit.code !== EXIT_CODES.badInput && !ASKED_TO_STOP.has(exit.code ?? 0));
    if (!died || !workRemains) return "keep-down";
    if (this.used >= this.budget) {
      this.spentOn ??= `worker ${exit.id} ${exit.signal ? `died (${exit.signal})` : `exited with code ${exit.code}`}`;
      return "budget-spent";
    }
    this.used++;
    return "replace";
  }

  /** The problem of a run that stopped because its workers kept dying. */
  describeCrashLoop(): string {
    return `workers kept dying: ${this.used} restart(s) used up the budget of ${this.budget} (--restart-budget), then ${this.spentOn ?? "another worker died"}`;
  }
}
