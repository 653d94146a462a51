// One run's page, as JSON (GET /api/runs/<backend>/<run>): built from what the broker says now
// (a monitor reading, workers, chunks in flight, dead letters) and, once there is one, the run's
// report (failed parameters, and everything when the run is gone from the broker). Pure: the
// tracker gathers, this decides what is shown.
import type { DeadLetterRecord } from "../backends/backend.ts";
import type { InFlightChunk } from "../backends/redis/redis-run-details.ts";
import type { RunState } from "../backends/run-listing.ts";
import type { MonitorView } from "../monitor/monitor-view.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import type { RunReport } from "../report/report-model.ts";
import type { Best, ProgressPoint } from "./result-digest.ts";
import { whereText, type BestEntry, type BestPoints } from "../results/best-points.ts";
import { reportWorkers, type DashboardWorker } from "./worker-rows.ts";

/** report.json's per-parameter failures. */
export type FailedParam = ParamFailure;
/** A report as read from disk: older reports have no failedParams. */
export type ReportWithFailures = Omit<RunReport, "failedParams"> & { failedParams?: readonly FailedParam[] };

export type RunDetail = {
  backend: "redis" | "rabbitmq";
  runId: string;
  at: string;
  /** Where the figures come from: the broker (live), the report (the run is gone from the broker), or nowhere. */
  source: "broker" | "report" | "none";
  state: RunState | "unknown";
  why: string;
  /** "broker unreachable, retrying: …" while the broker does not answer (the last figures stay). */
  error: string | null;
  progress: { chunksDone: number; totalChunks: number; paramsDone: number; totalParams: number; percent: number; waiting: number; inFlight: number; deadLettered: number; duplicates: number };
  paramsPerSecond: number | null;
  etaSeconds: number | null;
  settled: boolean;
  /** Progress over time: seconds since the first point. */
  history: { startedAt: string | null; points: { seconds: number; chunks: number; params: number }[] };
  workers: DashboardWorker[];
  inFlight: { worker: string; chunkId: number | null; start: number | null; end: number | null; ageSeconds: number; deliveries: number; takenOver: boolean }[];
  deadLetters: { chunkId: number | null; start: number | null; end: number | null; attempts: number; error: string }[];
  failedParams: FailedParam[] | null;
  best: Best | null;
  report: { folder: string; verdict: string } | null;
  /** What this page cannot show for this run, and why. */
  notes: string[];
};

export type LiveInput = {
  view: MonitorView;
  points: readonly ProgressPoint[];
  startedAt: number | undefined;
  workers: DashboardWorker[];
  inFlight: readonly InFlightChunk[];
  deadLetters: readonly DeadLetterRecord[];
  best: Best | null;
  notes: string[];
};

export type DetailInput = {
  backend: "redis" | "rabbitmq";
  runId: string;
  now: Date;
  live?: LiveInput;
  report?: { folder: string; report: ReportWithFailures };
  error?: string;
};

const extreme = (e: BestEntry | undefined) => (e ? { value: e.value, chunkId: -1, worker: "", id: e.id, where: whereText(e) } : null);

/** The best as the run's coordinator published it (or its report has it): the lowest and highest with their points. */
export function bestOfPoints(b: BestPoints): Best {
  return { min: extreme(b.lowest[0]), max: extreme(b.highest[0]) };
}

const pct = (done: number, total: number) => (total > 0 ? Math.floor((1000 * done) / total) / 10 : 0);

function historyOf(points: readonly ProgressPoint[], startedAt: number | undefined): RunDetail["history"] {
  const start = startedAt ?? points[0]?.at;
  if (start === undefined) return { startedAt: null, points: [] };
  return { startedAt: new Date(start).toISOString(), points: points.map((p) => ({ seconds: Math.max(0, (p.at - start) / 1000), chunks: p.chunks, params: p.params })) };
}

function fromLive(i: DetailInput, live: LiveInput): Omit<RunDetail, "report" | "failedParams" | "error"> {
  const v = live.view;
  const inFlightCount = Object.values(v.stats.inFlight).reduce((a, b) => a + b, 0);
  return {
    backend: i.backend,
    runId: i.runId,
    at: i.now.toISOString(),
    source: "broker",
    state: v.state?.state ?? "unknown",
    why: v.state?.why ?? "",
    progress: {
      chunksDone: v.stats.accepted,
      totalChunks: v.totalChunks,
      paramsDone: v.paramsDone,
      totalParams: v.totalParameters,
      percent: pct(v.stats.accepted, v.totalChunks),
      waiting: v.stats.pending,
      inFlight: inFlightCount,
      deadLettered: v.stats.deadLettered,
      duplicates: v.stats.duplicates,
    },
    paramsPerSecond: v.paramsPerSecond,
    etaSeconds: v.etaSeconds,
    settled: v.settled,
    history: historyOf(live.points, live.startedAt),
    workers: live.workers,
    inFlight: live.inFlight.map((c) => ({ worker: c.worker, chunkId: c.chunkId, start: c.start, end: c.end, ageSeconds: Math.round(c.ageMs / 100) / 10, deliveries: c.deliveries, takenOver: c.deliveries > 1 })),
    deadLetters: live.deadLetters.map((d) => ({ chunkId: d.chunkId, start: d.start, end: d.end, attempts: d.attempts, error: d.error })),
    best: live.best,
    notes: live.notes,
  };
}

function fromReport(i: DetailInput, r: ReportWithFailures): Omit<RunDetail, "report" | "failedParams" | "error"> {
  const start = Date.parse(r.startedAt);
  return {
    backend: i.backend,
    runId: i.runId,
    at: i.now.toISOString(),
    source: "report",
    state: "finished",
    why: `gone from the broker; its report's verdict: ${r.verdict}`,
    progress: {
      chunksDone: r.chunks.accepted,
      totalChunks: r.chunks.expected,
      paramsDone: r.params.covered,
      totalParams: r.params.total,
      percent: pct(r.chunks.accepted, r.chunks.expected),
      waiting: 0,
      inFlight: 0,
      deadLettered: r.chunks.deadLettered,
      duplicates: r.chunks.duplicatesDiscarded,
    },
    paramsPerSecond: r.paramsPerSecond,
    etaSeconds: 0,
    settled: true,
    history: historyOf(r.progress.map((p) => ({ at: start + p.seconds * 1000, chunks: p.chunks, params: p.params })), start),
    workers: reportWorkers(r.perWorker),
    inFlight: [],
    deadLetters: r.deadLetters.map((d) => ({ chunkId: d.chunkId, start: d.start, end: d.end, attempts: d.attempts, error: d.error })),
    best: r.best ? bestOfPoints(r.best) : {
      min: r.aggregate.min === null ? null : { value: r.aggregate.min, chunkId: -1, worker: "" },
      max: r.aggregate.max === null ? null : { value: r.aggregate.max, chunkId: -1, worker: "" },
    },
    notes: [],
  };
}

function empty(i: DetailInput): Omit<RunDetail, "report" | "failedParams" | "error"> {
  return {
    backend: i.backend,
    runId: i.runId,
    at: i.now.toISOString(),
    source: "none",
    state: "unknown",
    why: i.error ? "the broker does not answer" : "not on the broker and no report of it",
    progress: { chunksDone: 0, totalChunks: 0, paramsDone: 0, totalParams: 0, percent: 0, waiting: 0, inFlight: 0, deadLettered: 0, duplicates: 0 },
    paramsPerSecond: null,
    etaSeconds: null,
    settled: false,
    history: { startedAt: null, points: [] },
    workers: [],
    inFlight: [],
    deadLetters: [],
    best: null,
    notes: [],
  };
}

export function runDetailModel(i: DetailInput): RunDetail {
  const base = i.live ? fromLive(i, i.live) : i.report ? fromReport(i, i.report.report) : empty(i);
  const failed = i.report?.report.failedParams;
  return {
    ...base,
    error: i.error ?? null,
    failedParams: Array.isArray(failed) ? failed : null,
    report: i.report ? { folder: i.report.folder, verdict: i.report.report.verdict } : null,
  };
}
