// The dashboard as a whole (data layer + HTTP layer), started by monitor.ts --web and by
// demo.ts --monitor web|both, with the one warning it owes a user who binds beyond this machine.
import { DashboardData, type DashboardDataOptions } from "./dashboard-data.ts";
import { serveDashboard, type DashboardServer } from "./dashboard-server.ts";

export type StartDashboardOptions = DashboardDataOptions & { host: string; port: number };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** A line to print when the dashboard listens where other machines can reach it. */
export function exposureWarning(host: string): string | undefined {
  if (LOOPBACK.has(host)) return undefined;
  return `warning: the dashboard listens on ${host}: anyone who reaches this address sees the runs, their parameters and reports (it has no login).`;
}

export async function startDashboard(o: StartDashboardOptions): Promise<DashboardServer> {
  const data = new DashboardData(o);
  try {
    return await serveDashboard(data, { host: o.host, port: o.port });
  } catch (error) {
    await data.close();
    const why = (error as NodeJS.ErrnoException).code === "EADDRINUSE" ? `port ${o.port} is in use; pick another with --port (0: any free one)` : (error as Error).message;
    throw new Error(`Cannot start the dashboard on ${o.host}:${o.port}: ${why}`, { cause: error });
  }
}
