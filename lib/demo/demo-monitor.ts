// --monitor: `cli` prints the monitor's panel beside the demo's progress; `web` starts the TTG
// dashboard beside the run (stopped when the demo ends, after its report is written) and gives
// the addresses of the RabbitMQ management UI and RedisInsight (port-forwarded on kind).
import { kubectlPortForward, type KubeTarget } from "../kind/kubectl.ts";
import { canConnect } from "../net/ports.ts";
import type { DashboardServer } from "../dashboard/dashboard-server.ts";
import type { Platform } from "../platforms/platform.ts";
import { deriveView, type MonitorView } from "../monitor/monitor-view.ts";
import { renderMonitor } from "../monitor/render-monitor.ts";
import type { RunningCommand, Shell } from "../shell/run.ts";
import type { ProgressSnapshot } from "../sweep/progress-snapshot.ts";
import type { SweepConfig } from "../sweep/sweep-config.ts";

export type DemoMonitor = {
  /** Called on every progress reading; returns lines to print, if any. */
  tick(snap: ProgressSnapshot, elapsedSeconds: number): string | undefined;
  stop(): Promise<void>;
};

const PANEL_EVERY_SECONDS = 5;

/** The web consoles worth opening for this backend, and how to reach them. */
async function webConsoles(cfg: SweepConfig, shell: Shell, forwards: RunningCommand[], t: KubeTarget): Promise<string[]> {
  const lines: string[] = [];
  if (cfg.platform === "kind") {
    if (cfg.backend === "rabbitmq") {
      forwards.push(kubectlPortForward(shell.start, "service/ttg-rabbitmq", 15672, 15672, t));
      lines.push("RabbitMQ management UI: http://localhost:15672 (user ttg, password in Secret ttg-rabbitmq-auth)");
    }
    if (cfg.backend === "redis") {
      forwards.push(kubectlPortForward(shell.start, "service/redis-insight", 8001, 5540, t));
      lines.push("RedisInsight: http://localhost:8001 (add the database ttg-redis:6379; apply k8s/redis-insight.yaml first)");
    }
    return lines;
  }
  if (cfg.backend === "rabbitmq") {
    lines.push(
      (await canConnect(15672))
        ? "RabbitMQ management UI: http://localhost:15672"
        : "RabbitMQ management UI: not enabled locally (rabbitmq-plugins enable rabbitmq_management)",
    );
  }
  if (cfg.backend === "static") lines.push("static backend: no broker console; worker logs are in the report folder");
  return lines;
}

/** The dashboard's usual port; taken (another demo's dashboard), any free one. */
export const DEMO_DASHBOARD_PORT = 8090;

export type DemoMonitorContext = {
  platform: Platform;
  /** The run's broker from this host (absent for the static backend). */
  broker?: { url: string; namespace: string };
  /** kind: the cluster whose consoles are port-forwarded. */
  target: KubeTarget;
};

/** The TTG dashboard for this run's broker, with the demo's workers placed (process or pod, node). */
async function demoDashboard(cfg: SweepConfig, ctx: DemoMonitorContext): Promise<DashboardServer | undefined> {
  const { broker } = ctx;
  if (!broker || cfg.backend === "static") return undefined;
  const places = (backend: string, runId: string) =>
    backend === cfg.backend && runId === cfg.runId ? ctx.platform.workers().map((w) => ({ id: w.id, handle: w.handle, node: w.node, status: w.status })) : [];
  const options = { targets: [{ backend: cfg.backend, url: broker.url, namespace: broker.namespace, runIds: [cfg.runId] }], reportsDir: cfg.reportsDir, places, host: "127.0.0.1" };
  // Loaded only for --monitor web or both: the dashboard's modules are no part of every run's start.
  const { startDashboard } = await import("../dashboard/start-dashboard.ts");
  return startDashboard({ ...options, port: DEMO_DASHBOARD_PORT }).catch(() => startDashboard({ ...options, port: 0 }));
}

export async function startDemoMonitor(cfg: SweepConfig, shell: Shell, print: (line: string) => void, ctx: DemoMonitorContext): Promise<DemoMonitor> {
  const forwards: RunningCommand[] = [];
  const cli = cfg.monitor === "cli" || cfg.monitor === "both";
  const web = cfg.monitor === "web" || cfg.monitor === "both";
  const dashboard = web ? await demoDashboard(cfg, ctx) : undefined;
  if (dashboard) print(`      TTG dashboard: ${dashboard.url}#/run/${cfg.backend}/${encodeURIComponent(cfg.runId)} (until the demo ends)`);
  if (web) for (const line of await webConsoles(cfg, shell, forwards, ctx.target)) print(`      ${line}`);
  if (cli && cfg.backend !== "static") {
    print(`      monitor in another terminal: ./runbook/monitor.ts --backend ${cfg.backend} --run-id ${cfg.runId} --watch 2`);
  }
  let previous: MonitorView | undefined;
  let lastPanel = 0;
  return {
    tick(snap, elapsed) {
      if (!cli || cfg.backend === "static" || elapsed - lastPanel < PANEL_EVERY_SECONDS) return undefined;
      lastPanel = elapsed;
      const stats = { accepted: snap.chunksDone, duplicates: snap.duplicates, deadLettered: snap.deadLettered, pending: snap.pending, inFlight: snap.inFlight, extra: {} };
      const view = deriveView(
        { at: new Date(), backend: cfg.backend as "redis" | "rabbitmq", runId: cfg.runId, totalChunks: snap.chunksExpected, totalParameters: snap.paramsTotal, chunkSize: cfg.chunkSize, stats },
        previous,
        undefined,
      );
      previous = view;
      return renderMonitor(view);
    },
    async stop() {
      await dashboard?.close();
      for (const f of forwards) {
        f.kill();
        await f.exited.catch(() => undefined);
      }
    },
  };
}
