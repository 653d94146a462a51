// A worker's metrics for Prometheus, kept by prom-client: what it finished, failed and discarded,
// whether it is busy, and how long its chunks take. Every series carries the labels worker,
// run_id and backend. Each WorkerMetrics has its own registry (never prom-client's global one).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ChunkMetrics } from "./chunk-metrics.ts";

export type WorkerMetricLabels = { worker: string; runId: string; backend: string };

/** Seconds: from a few milliseconds (tiny chunks) to five minutes (heavy compute modules). */
const CHUNK_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export class WorkerMetrics implements ChunkMetrics {
  readonly #registry = new Registry();
  readonly #completed: Counter;
  readonly #params: Counter;
  readonly #failures: Counter;
  readonly #duplicates: Counter;
  readonly #busy: Gauge;
  readonly #duration: Histogram;
  #inProgress = 0;

  constructor(labels: WorkerMetricLabels, options: { buckets?: readonly number[] } = {}) {
    this.#registry.setDefaultLabels({ worker: labels.worker, run_id: labels.runId, backend: labels.backend });
    const registers = [this.#registry];
    this.#completed = new Counter({ name: "ttg_chunks_completed_total", help: "Chunks this worker computed and published.", registers });
    this.#params = new Counter({ name: "ttg_params_processed_total", help: "Parameters in the chunks this worker completed.", registers });
    this.#failures = new Counter({ name: "ttg_chunk_failures_total", help: "Chunks that failed on this worker (to be retried or dead-lettered).", registers });
    this.#duplicates = new Counter({ name: "ttg_chunks_duplicate_total", help: "Results of this worker discarded as second copies.", registers });
    this.#busy = new Gauge({ name: "ttg_worker_busy", help: "1 while the worker is computing a chunk, else 0.", registers });
    this.#duration = new Histogram({
      name: "ttg_chunk_duration_seconds",
      help: "Time to compute and publish one chunk, in seconds.",
      buckets: [...(options.buckets ?? CHUNK_DURATION_BUCKETS)],
      registers,
    });
  }

  chunkStarted(): void {
    this.#setInProgress(this.#inProgress + 1);
  }

  chunkFinished(seconds: number, params: number): void {
    this.#completed.inc();
    this.#params.inc(params);
    if (!Number.isNaN(seconds)) this.#duration.observe(seconds);
    this.#done();
  }

  chunkFailed(): void {
    this.#failures.inc();
    this.#done();
  }

  chunkAbandoned(): void {
    this.#done();
  }

  chunkDuplicate(): void {
    this.#duplicates.inc();
  }

  #done(): void {
    this.#setInProgress(Math.max(0, this.#inProgress - 1));
  }

  #setInProgress(n: number): void {
    this.#inProgress = n;
    this.#busy.set(n > 0 ? 1 : 0);
  }

  /** The Content-Type of the Prometheus text format (0.0.4). */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The text a Prometheus scrape of /metrics receives. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }
}
