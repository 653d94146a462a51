// The dashboard's data layer (what Bull Board calls its API): the run list, one run, the report
// history and one report, each a JSON-ready value. It knows nothing of HTTP; dashboard-server.ts
// serves it, and tests call it directly. Every answer is read from the brokers and the reports
// folder (state survives a restart of the dashboard); readings are shared between clients.
import { listRuns } from "../backends/list-runs.ts";
import type { BackendName } from "../backends/open-backend.ts";
import type { PurgeTarget } from "../backends/purge-namespace.ts";
import { redactUrl } from "../net/redact-url.ts";
import { knownRunIds } from "../cleanup/report-runs.ts";
import type { Run } from "../shell/run.ts";
import { zxRun } from "../shell/zx-runner.ts";
import { CachedReading } from "./cached-reading.ts";
import { withDeadline } from "./deadline.ts";
import { reportFile, reportFolders, reportHistory, reportPage, type HistoryRow, type ReportPage } from "./report-history.ts";
import type { RunDetail } from "./run-detail-model.ts";
import { runListModel, type BrokerReading, type RunListModel } from "./run-list-model.ts";
import { RunTracker } from "./run-tracker.ts";
import type { WorkerPlace } from "./worker-rows.ts";

export type DashboardTarget = {
  backend: BackendName;
  url: string;
  namespace: string;
  /** RabbitMQ: run ids known to exist (the demo's), found even without rabbitmqctl. */
  runIds?: readonly string[];
};

export type DashboardDataOptions = {
  targets: readonly DashboardTarget[];
  reportsDir: string;
  /** A worker silent this long with a chunk has it taken over (the workers' STALE_THRESHOLD_MS). */
  staleThresholdMs?: number;
  /** Where a run's workers are, when the starter knows it (the demo knows its own run's). */
  places?: (backend: BackendName, runId: string) => WorkerPlace[];
  /** For rabbitmqctl (default: the real one). */
  run?: Run;
  /** A run's figures are read at most this often, whatever the number of clients. */
  runEveryMs?: number;
  /** The run list, which may shell out to rabbitmqctl, at most this often. */
  listEveryMs?: number;
};

/**
 * How often the run list is read by default. RabbitMQ's comes from rabbitmqctl, which boots an
 * Erlang VM each time (most of a core for about a second): every 2 s would take a quarter of a
 * 2-core machine from the run being watched; every 5 s still finds a new run while it starts.
 */
const LIST_EVERY_MS: Record<BackendName, number> = { redis: 2_000, rabbitmq: 5_000 };

/** Listing a broker's runs (rabbitmqctl included) that takes longer fails as unreachable. */
const LIST_DEADLINE_MS = 15_000;

/** A tracker nobody has asked about for this long is closed. */
const TRACKER_IDLE_MS = 60_000;

export class DashboardData {
  readonly #o: DashboardDataOptions;
  /** One cached listing per broker, read side by side: a slow rabbitmqctl never holds up Redis. */
  readonly #lists: CachedReading<BrokerReading>[];
  readonly #trackers = new Map<string, { tracker: RunTracker; reading: CachedReading<RunDetail> }>();

  constructor(o: DashboardDataOptions) {
    this.#o = o;
    this.#lists = o.targets.map((t) => new CachedReading(() => this.#readBroker(t), o.listEveryMs ?? LIST_EVERY_MS[t.backend]));
  }

  async runs(): Promise<RunListModel> {
    const [history, readings] = await Promise.all([reportHistory(this.#o.reportsDir).catch(() => []), Promise.all(this.#lists.map((l) => l.get()))]);
    return runListModel(readings, reportFolders(history), new Date());
  }

  /** undefined when the dashboard does not watch that backend. */
  async run(backend: string, runId: string): Promise<RunDetail | undefined> {
    const target = this.#o.targets.find((t) => t.backend === backend);
    if (!target) return undefined;
    await this.#closeIdle();
    const key = `${backend}/${runId}`;
    let entry = this.#trackers.get(key);
    if (!entry) {
      const places = this.#o.places;
      const tracker = new RunTracker({
        backend: target.backend,
        url: target.url,
        namespace: target.namespace,
        runId,
        staleThresholdMs: this.#o.staleThresholdMs ?? 1_500,
        reportsDir: this.#o.reportsDir,
        ...(places ? { places: () => places(target.backend, runId) } : {}),
      });
      entry = { tracker, reading: new CachedReading(() => tracker.read(), this.#o.runEveryMs ?? 1_000) };
      this.#trackers.set(key, entry);
    }
    return entry.reading.get();
  }

  reports(): Promise<HistoryRow[]> {
    return reportHistory(this.#o.reportsDir);
  }

  report(folder: string): Promise<ReportPage | undefined> {
    return reportPage(this.#o.reportsDir, folder, `/api/reports/${encodeURIComponent(folder)}/files`);
  }

  reportFile(folder: string, name: string): ReturnType<typeof reportFile> {
    return reportFile(this.#o.reportsDir, folder, name);
  }

  async close(): Promise<void> {
    const entries = [...this.#trackers.values()];
    this.#trackers.clear();
    for (const e of entries) await e.tracker.close().catch(() => undefined);
  }

  async #closeIdle(): Promise<void> {
    const now = Date.now();
    for (const [key, e] of this.#trackers) {
      if (now - e.tracker.lastUsed < TRACKER_IDLE_MS) continue;
      this.#trackers.delete(key);
      await e.tracker.close().catch(() => undefined);
    }
  }

  async #readBroker(t: DashboardTarget): Promise<BrokerReading> {
    const head = { backend: t.backend, namespace: t.namespace, where: redactUrl(t.url) };
    try {
      return { ...head, runs: await withDeadline(listRuns(this.#target(t)), LIST_DEADLINE_MS, `listing the runs on ${t.backend}`) };
    } catch (error) {
      return { ...head, error: (error as Error).message };
    }
  }

  #target(t: DashboardTarget): PurgeTarget {
    const fromReports = t.backend === "rabbitmq" ? knownRunIds(this.#o.reportsDir, "rabbitmq") : [];
    return { backend: t.backend, url: t.url, namespace: t.namespace, runIds: [...new Set([...(t.runIds ?? []), ...fromReports])], run: this.#o.run ?? zxRun };
  }
}
