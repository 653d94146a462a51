// The runs a reports folder knows (reports/<run-id>/report.json): for the inventory, and as the
// run ids whose per-run RabbitMQ queues cleanup, the monitor and the dashboard look for when they
// cannot list queues (with those the demo started and has not finished: reports/<run-id>/run.json).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type ReportRun = { runId: string; backend: string; platform: string; verdict: string; path: string };

export function readReportRuns(dir: string): ReportRun[] {
  if (!existsSync(dir)) return [];
  const runs: ReportRun[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name, "report.json");
    if (!entry.isDirectory() || !existsSync(path)) continue;
    try {
      const r = JSON.parse(readFileSync(path, "utf8")) as { runId?: string; backend?: string; platform?: string; verdict?: string };
      runs.push({ runId: r.runId ?? entry.name, backend: r.backend ?? "?", platform: r.platform ?? "?", verdict: r.verdict ?? "?", path });
    } catch {
      runs.push({ runId: entry.name, backend: "?", platform: "?", verdict: "unreadable report.json", path });
    }
  }
  return runs.sort((a, b) => a.runId.localeCompare(b.runId));
}

/**
 * The run ids of `backend` a reports folder knows: finished (report.json) or started by the demo and
 * not finished yet (its saved configuration, run.json: lib/sweep/saved-run.ts). Without them, a run
 * still going vanished from a RabbitMQ listing whenever rabbitmqctl could not answer.
 */
export function knownRunIds(dir: string, backend: string): string[] {
  const ids = new Set(readReportRuns(dir).filter((r) => r.backend === backend).map((r) => r.runId));
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        const saved = JSON.parse(readFileSync(join(dir, entry.name, "run.json"), "utf8")) as { config?: { runId?: unknown; backend?: unknown } };
        if (saved.config?.backend === backend && typeof saved.config.runId === "string") ids.add(saved.config.runId);
      } catch {
        // No saved run there, or not one of ours.
      }
    }
  }
  return [...ids].sort();
}
