// The runs a reports folder knows (reports/<run-id>/report.json): for the inventory, and as the
// run ids whose per-run RabbitMQ queues cleanup looks for when it cannot list queues.
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
