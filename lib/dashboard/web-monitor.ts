// monitor.ts --web: the dashboard until Ctrl-C, for the brokers asked for (both by default).
import type { BackendName } from "../backends/open-backend.ts";
import { BadInput } from "../script/bad-input.ts";
import type { MonitorIO } from "../monitor/monitor-loop.ts";
import { EXIT_CODES } from "../script/exit-codes.ts";
import type { DashboardTarget } from "./dashboard-data.ts";
import { exposureWarning, startDashboard } from "./start-dashboard.ts";

export type WebMonitorOptions = {
  backends: readonly BackendName[];
  urls: Record<BackendName, string>;
  namespace: string;
  reportsDir: string;
  host: string;
  port: number;
  staleThresholdMs: number;
};

export async function runWebMonitor(o: WebMonitorOptions, io: MonitorIO & { err?: { write(s: string): unknown } }): Promise<number> {
  const targets: DashboardTarget[] = o.backends.map((backend) => ({ backend, url: o.urls[backend], namespace: o.namespace }));
  const warning = exposureWarning(o.host);
  if (warning) (io.err ?? io.out).write(`${warning}\n`);
  let server;
  try {
    server = await startDashboard({ targets, reportsDir: o.reportsDir, host: o.host, port: o.port, staleThresholdMs: o.staleThresholdMs });
  } catch (error) {
    throw new BadInput((error as Error).message, { cause: error });
  }
  io.out.write(`TTG dashboard (${o.backends.join(" and ")}, namespace ${o.namespace}): ${server.url}\nCtrl-C stops it.\n`);
  try {
    await (io.stopped ?? new Promise(() => {}));
  } finally {
    await server.close();
  }
  return EXIT_CODES.ok;
}
