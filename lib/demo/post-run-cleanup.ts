// Step 9 of the seed's demo, "prompts for cleanup": on kind, the run's worker pods stay after the
// report (finished pods keep their logs). On a terminal the demo asks before removing them;
// --yes and a non-terminal remove them without asking (the demo cleans up by default);
// --skip-cleanup keeps them. The brokers stay either way (they serve the next run).
import { executeCleanup, planCleanup } from "../cleanup/cleanup-plan.ts";
import type { KubeTarget } from "../kind/kubectl.ts";
import type { Shell } from "../shell/run.ts";

export type PostRunCleanup = {
  runId: string;
  target: KubeTarget;
  skipCleanup: boolean;
  /** --yes, or stdin is not a terminal: no question. */
  yes: boolean;
};

export type PostRunIO = { print: (line: string) => void; confirm: (question: string) => Promise<boolean> };

export async function postRunCleanup(shell: Shell, o: PostRunCleanup, io: PostRunIO): Promise<void> {
  const later = `./runbook/cleanup.ts --pods --run-id ${o.runId} --context ${o.target.context}`;
  if (o.skipCleanup) return io.print(`      keeping the run's worker pods (--skip-cleanup); remove them later with ${later}`);
  const groups = await planCleanup(shell.run, { pods: true, redis: false, rabbitmq: false, monitoring: false, runId: o.runId }, o.target);
  const count = groups.reduce((n, g) => n + g.objects.length, 0);
  if (count === 0) return io.print("      no worker pods of this run are left");
  if (!o.yes && !(await io.confirm(`      Remove this run's ${count} worker pod(s) and job(s)? (the brokers stay)`))) {
    return io.print(`      kept; remove them later with ${later}`);
  }
  await executeCleanup(shell.run, groups, o.target);
  io.print(`      removed ${count} worker pod(s)/job(s) of run ${o.runId}; the brokers stay (./runbook/cleanup.ts --delete-brokers removes them)`);
}
