// monitor.ts without --run-id: the runs of the broker namespace with their state, once or every
// N seconds until Ctrl-C. A run id is never needed to see what is there.
import { listRuns } from "../backends/list-runs.ts";
import type { BackendName } from "../backends/open-backend.ts";
import type { PurgeTarget } from "../backends/purge-namespace.ts";
import { knownRunIds } from "../cleanup/report-runs.ts";
import type { Run } from "../shell/run.ts";
import { zxRun } from "../shell/zx-runner.ts";
import { readingLoop, showReading, type LoopOptions, type MonitorIO } from "./monitor-loop.ts";
import { renderRunList, runListJson } from "./render-run-list.ts";

export type WatchRunListOptions = LoopOptions & {
  backend: BackendName;
  url: string;
  namespace: string;
  /** RabbitMQ without rabbitmqctl: the run ids of this folder's reports are the queues looked for. */
  reportsDir: string;
  /** For rabbitmqctl (default: the real one). */
  run?: Run;
};

function runListTarget(o: WatchRunListOptions): PurgeTarget {
  const runIds = o.backend === "rabbitmq" ? knownRunIds(o.reportsDir, "rabbitmq") : [];
  return { backend: o.backend, url: o.url, namespace: o.namespace, runIds, run: o.run ?? zxRun };
}

export async function watchRunList(o: WatchRunListOptions, io: MonitorIO): Promise<number> {
  const target = runListTarget(o);
  return readingLoop(o, io, async () => {
    const runs = await listRuns(target);
    const now = new Date();
    showReading(o, io, o.json ? runListJson(runs, now) : renderRunList(runs, now, { color: io.out.isTTY === true }));
    return undefined;
  });
}
