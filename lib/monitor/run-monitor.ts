// monitor.ts: without --run-id the runs of the namespace and their states; with it, one run.
import type { BackendName } from "../backends/open-backend.ts";
import type { Run } from "../shell/run.ts";
import type { LoopOptions, MonitorIO } from "./monitor-loop.ts";
import { watchRunList } from "./watch-run-list.ts";
import { watchRun } from "./watch-run.ts";

export type MonitorOptions = LoopOptions & {
  backend: BackendName;
  url: string;
  namespace: string;
  runId: string | undefined;
  /** Reports folder: run ids for RabbitMQ without rabbitmqctl, and the report of a purged run. */
  reportsDir: string;
  run?: Run;
};

export function runMonitor(options: MonitorOptions, io: MonitorIO): Promise<number> {
  return options.runId === undefined ? watchRunList(options, io) : watchRun(options, options.runId, io);
}
