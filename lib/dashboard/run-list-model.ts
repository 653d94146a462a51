// The dashboard's front page, as JSON (GET /api/runs): every run on each broker the dashboard
// watches, with its state, age and progress, and whether a report of it exists. A broker that does
// not answer is listed as such ("broker unreachable, retrying"), never dropped silently.
import type { BrokerRuns } from "../backends/list-runs.ts";
import type { RunState } from "../backends/run-listing.ts";

export type RunListRow = {
  backend: "redis" | "rabbitmq";
  runId: string;
  state: RunState;
  why: string;
  createdAt: string | null;
  ageSeconds: number | null;
  chunksDone: number | null;
  totalChunks: number | null;
  percent: number | null;
  deadLettered: number | null;
  /** The reports/ folder of the run, when it has a report. */
  report: string | null;
};

export type BrokerSection = {
  backend: "redis" | "rabbitmq";
  namespace: string;
  where: string;
  reachable: boolean;
  error: string | null;
  runs: RunListRow[];
  /** Objects of the old shared layout (no run id) still on the broker. */
  legacy: number;
};

export type RunListModel = { at: string; brokers: BrokerSection[] };

export type BrokerReading =
  | { backend: "redis" | "rabbitmq"; namespace: string; where: string; runs: BrokerRuns }
  | { backend: "redis" | "rabbitmq"; namespace: string; where: string; error: string };

export function runListModel(readings: readonly BrokerReading[], reportFolders: ReadonlyMap<string, string>, now: Date): RunListModel {
  const brokers = readings.map((b): BrokerSection => {
    const base = { backend: b.backend, namespace: b.namespace, where: b.where };
    if ("error" in b) return { ...base, reachable: false, error: `broker unreachable, retrying: ${b.error}`, runs: [], legacy: 0 };
    const runs = b.runs.runs.map((r): RunListRow => ({
      backend: b.backend,
      runId: r.runId,
      state: r.state,
      why: r.why,
      createdAt: r.createdAt ?? null,
      ageSeconds: r.createdAt ? Math.max(0, Math.round((now.getTime() - Date.parse(r.createdAt)) / 1000)) : null,
      chunksDone: r.chunksDone ?? null,
      totalChunks: r.totalChunks ?? null,
      percent: r.chunksDone !== undefined && r.totalChunks ? Math.floor((1000 * r.chunksDone) / r.totalChunks) / 10 : null,
      deadLettered: r.deadLettered ?? null,
      report: reportFolders.get(`${b.backend}/${r.runId}`) ?? null,
    }));
    return { ...base, reachable: true, error: null, runs, legacy: b.runs.legacy.length };
  });
  return { at: now.toISOString(), brokers };
}
