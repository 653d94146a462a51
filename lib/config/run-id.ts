// The one rule for a run id, shared by the worker's RUN_ID, every script's --run-id / --resume and
// the broker object names. A run id is a Kubernetes label value (pods and Jobs carry it), and it is
// appended to the queue names of its run (ttg.tasks.<run>, ttg.tasks.retry.<run>, ...): "retry" and
// "dlq", alone or as a first part, would give run X's retry queue to a run named "retry.X".
import type { Parser } from "./parsers.ts";

const SHAPE = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const RESERVED = /^(retry|dlq)(\.|$)/;

export function isRunId(raw: string): boolean {
  return SHAPE.test(raw) && !RESERVED.test(raw);
}

export const RUN_ID: Parser<string> = {
  accepts: "a run id: 1-63 lowercase letters, digits, '.' or '-' (a Kubernetes label value), not 'retry' or 'dlq' nor starting 'retry.' or 'dlq.'",
  parse: (raw) => (isRunId(raw) ? raw : undefined),
};
