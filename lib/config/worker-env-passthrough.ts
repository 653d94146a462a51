// Worker variables set in a runbook script's environment reach every worker it starts.
// Each is validated here, so a bad value stops the script before any worker starts.
import { invalidValue } from "./config-error.ts";
import type { Env } from "./worker-config.ts";
import { WORKER_VARIABLES } from "./worker-variables.ts";

/** Identity and node are per worker and set by the platform; everything else passes through. */
const PER_WORKER = new Set(["WORKER_ID", "JOB_COMPLETION_INDEX", "NODE_NAME"]);

export function workerEnvFromEnvironment(env: Env): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const spec of Object.values(WORKER_VARIABLES)) {
    const raw = env[spec.name];
    if (raw === undefined || PER_WORKER.has(spec.name)) continue;
    if (raw !== "" && spec.parser.parse(raw) === undefined) throw invalidValue(spec.name, raw, spec.parser.accepts);
    picked[spec.name] = raw;
  }
  return picked;
}
