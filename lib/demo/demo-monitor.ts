// --monitor: `cli` prints the monitor's panel beside the demo's progress; `web` gives the
// addresses of the RabbitMQ management UI and RedisInsight (port-forwarded on kind).
import { kubectlPortForward, type KubeTarget } from "../kind/kubectl.ts";
import { canConnect } from "../net/ports.ts";
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
  if (cfg.backend === "redis") lines.push("Redis: no web console locally; use ./runbook/monitor.ts or RedisInsight on kind");
  if (cfg.backend === "static") lines.push("static backend: no broker console; worker logs are in the report folder");
  return lines;
}

export async function startDemoMonitor(cfg: SweepConfig, shell: Shell, print: (line: string) => void, t: KubeTarget): Promise<DemoMonitor> {
  const forwards: RunningCommand[] = [];
  const cli = cfg.monitor === "cli" || cfg.monitor === "both";
  if (cfg.monitor === "web" || cfg.monitor === "both") for (const line of await webConsoles(cfg, shell, forwards, t)) print(`      ${line}`);
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
      for (const f of forwards) {
        f.kill();
        await f.exited.catch(() => undefined);
      }
    },
  };
}
