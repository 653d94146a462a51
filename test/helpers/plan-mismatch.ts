// A worker started with another plan than the run already loaded (TOTAL_PARAMETERS 999 against a
// run of 100 params in chunks of 10): it must stop at once, exit 2, with one line naming the fix.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { createQueueRun, type QueueRun } from "./queue-run.ts";

export async function expectPlanMismatchExit(t: TestContext, backend: BackendName): Promise<QueueRun> {
  const run = await createQueueRun(t, backend, { params: 100, chunkSize: 10 });
  await run.observer.ensureLoaded(run.plan);
  const w = run.start("a", { TOTAL_PARAMETERS: "999" });
  const exit = await w.exitedWithin();
  assert.equal(exit.code, 2, w.stdout.join("\n"));
  const failed = w.events().filter((e) => e.message.includes("Cannot load run"));
  assert.equal(failed.length, 1, "one line naming the problem, no retry loop");
  assert.match(failed[0]!.message, /exists with 100 params in chunks of 10; use another --run-id/);
  return run;
}
