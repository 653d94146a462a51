// One run followed by the dashboard: a passive source on its broker, the digest of its results,
// the monitor's derived figures (throughput, ETA) and its report once written. A broker that stops
// answering is reported ("broker unreachable, retrying") with the last figures kept; the source is
// opened again at the next reading.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DeadLetterRecord } from "../backends/backend.ts";
import type { BackendName } from "../backends/open-backend.ts";
import { deriveView, type MonitorView } from "../monitor/monitor-view.ts";
import { ResultDigest, type ProgressPoint } from "./result-digest.ts";
import { bestOfPoints, runDetailModel, type LiveInput, type ReportWithFailures, type RunDetail } from "./run-detail-model.ts";
import { openRunSource, type RunSource, type SourceOptions, type SourceReading } from "./run-source.ts";
import { liveWorkers, placedWorkers, type WorkerPlace } from "./worker-rows.ts";
import { withDeadline } from "./deadline.ts";

export type TrackerOptions = SourceOptions & {
  reportsDir: string;
  /** Where the run's workers are, when the dashboard's starter knows it (the demo). */
  places?: () => WorkerPlace[];
};

/** A reading (or opening the source) that takes longer fails: the page says the broker is unreachable. */
const READ_DEADLINE_MS = 8_000;
/** Closing a source whose broker is gone may wait for a reconnect: it is not waited for longer than this. */
const CLOSE_DEADLINE_MS = 2_000;

/** Readings the tracker keeps itself (backends whose results it cannot read): about 10 minutes at one a second. */
const MAX_SAMPLES = 600;

export class RunTracker {
  readonly #o: TrackerOptions;
  #source: RunSource | undefined;
  #digest = new ResultDigest();
  #samples: ProgressPoint[] = [];
  #previous: MonitorView | undefined;
  #deadLetters: DeadLetterRecord[] = [];
  #live: LiveInput | undefined;
  lastUsed = Date.now();

  constructor(o: TrackerOptions) {
    this.#o = o;
  }

  get backend(): BackendName {
    return this.#o.backend;
  }

  async read(): Promise<RunDetail> {
    this.lastUsed = Date.now();
    const now = new Date();
    const report = await this.#report();
    const base = { backend: this.#o.backend, runId: this.#o.runId, now, ...(report ? { report } : {}) };
    let reading: SourceReading | undefined;
    try {
      this.#source ??= await withDeadline(openRunSource(this.#o), READ_DEADLINE_MS, `opening a ${this.#o.backend} connection`);
      reading = await withDeadline(this.#source.read(), READ_DEADLINE_MS, `reading run ${this.#o.runId} on ${this.#o.backend}`);
    } catch (error) {
      await this.#drop();
      const live = this.#live;
      return runDetailModel({ ...base, ...(live ? { live } : {}), error: (error as Error).message });
    }
    if (!reading) {
      // Gone (purged after it finished, usually): the report tells the rest; a rerun starts afresh.
      this.#reset();
      await this.#drop();
      return runDetailModel(base);
    }
    this.#live = this.#fold(reading, now);
    return runDetailModel({ ...base, live: this.#live });
  }

  #fold(r: SourceReading, now: Date): LiveInput {
    if (this.#previous && r.stats.accepted < this.#previous.stats.accepted) this.#reset(); // reloaded under the same id
    this.#digest.add(r.results);
    if (r.deadLetters) this.#deadLetters = r.deadLetters;
    const createdAt = r.state.createdAt ? Date.parse(r.state.createdAt) : undefined;
    const view = deriveView(
      { at: now, backend: this.#o.backend, runId: this.#o.runId, totalChunks: r.plan.totalChunks, totalParameters: r.plan.totalParameters, chunkSize: r.plan.chunkSize, stats: r.stats, state: { state: r.state.state, why: r.state.why } },
      this.#previous,
      createdAt === undefined ? undefined : new Date(createdAt),
    );
    this.#previous = view;
    this.#samples.push({ at: now.getTime(), chunks: view.stats.accepted, params: view.paramsDone });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
    const places = this.#o.places?.() ?? [];
    const fromResults = this.#o.backend === "redis";
    return {
      view,
      points: fromResults ? this.#digest.points : this.#samples,
      startedAt: createdAt,
      workers: fromResults
        ? liveWorkers({ consumers: r.consumers, tallies: this.#digest.workers, places, staleThresholdMs: this.#o.staleThresholdMs })
        : placedWorkers(places),
      inFlight: r.inFlight,
      deadLetters: this.#deadLetters,
      // The coordinator's published best names ids and points; without one, Redis's results give values.
      best: r.stats.best ? bestOfPoints(r.stats.best) : fromResults ? this.#digest.best : null,
      notes: this.#source?.notes ?? [],
    };
  }

  async #report(): Promise<{ folder: string; report: ReportWithFailures } | undefined> {
    try {
      const report = JSON.parse(await readFile(join(this.#o.reportsDir, this.#o.runId, "report.json"), "utf8")) as ReportWithFailures;
      return report.runId === this.#o.runId && report.backend === this.#o.backend ? { folder: this.#o.runId, report } : undefined;
    } catch {
      return undefined;
    }
  }

  #reset(): void {
    this.#digest = new ResultDigest();
    this.#samples = [];
    this.#previous = undefined;
    this.#deadLetters = [];
    this.#live = undefined;
  }

  async #drop(): Promise<void> {
    const source = this.#source;
    this.#source = undefined;
    await withDeadline(source?.close() ?? Promise.resolve(), CLOSE_DEADLINE_MS, "closing").catch(() => undefined);
  }

  close(): Promise<void> {
    return this.#drop();
  }
}
