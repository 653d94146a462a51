// A worker's metrics for Prometheus: what it finished, failed and discarded, whether it is busy,
// and how long its chunks take. Every series carries the labels worker, run_id and backend.
import { Histogram } from "./histogram.ts";
import { renderPrometheusText, type Labels, type MetricFamily } from "./prometheus-text.ts";

export type WorkerMetricLabels = { worker: string; runId: string; backend: string };

/** Seconds: from a few milliseconds (tiny chunks) to five minutes (heavy compute modules). */
export const CHUNK_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export class WorkerMetrics {
  readonly labels: Labels;
  readonly #duration: Histogram;
  #completed = 0;
  #params = 0;
  #failures = 0;
  #duplicates = 0;
  #inProgress = 0;

  constructor(labels: WorkerMetricLabels, options: { buckets?: readonly number[] } = {}) {
    this.labels = { worker: labels.worker, run_id: labels.runId, backend: labels.backend };
    this.#duration = new Histogram(options.buckets ?? CHUNK_DURATION_BUCKETS);
  }

  /** The worker took a chunk and starts computing it. */
  chunkStarted(): void {
    this.#inProgress++;
  }

  /** A chunk's result was published: `seconds` it took, `params` it covered. */
  chunkFinished(seconds: number, params: number): void {
    this.#completed++;
    this.#params += params;
    this.#duration.observe(seconds);
    this.#done();
  }

  /** A chunk threw or could not be published; it will be retried or dead-lettered. */
  chunkFailed(): void {
    this.#failures++;
    this.#done();
  }

  /** A chunk was given up without a result or a failure (shutdown, lost lease); only clears busy. */
  chunkAbandoned(): void {
    this.#done();
  }

  /** The backend reported this worker's result as a second copy, discarded. */
  chunkDuplicate(): void {
    this.#duplicates++;
  }

  #done(): void {
    this.#inProgress = Math.max(0, this.#inProgress - 1);
  }

  families(): MetricFamily[] {
    const one = (value: number) => [{ labels: this.labels, value }];
    return [
      { type: "counter", name: "ttg_chunks_completed_total", help: "Chunks this worker computed and published.", samples: one(this.#completed) },
      { type: "counter", name: "ttg_params_processed_total", help: "Parameters in the chunks this worker completed.", samples: one(this.#params) },
      { type: "counter", name: "ttg_chunk_failures_total", help: "Chunks that failed on this worker (to be retried or dead-lettered).", samples: one(this.#failures) },
      { type: "counter", name: "ttg_chunks_duplicate_total", help: "Results of this worker discarded as second copies.", samples: one(this.#duplicates) },
      { type: "gauge", name: "ttg_worker_busy", help: "1 while the worker is computing a chunk, else 0.", samples: one(this.#inProgress > 0 ? 1 : 0) },
      {
        type: "histogram",
        name: "ttg_chunk_duration_seconds",
        help: "Time to compute and publish one chunk, in seconds.",
        series: [{ labels: this.labels, buckets: this.#duration.buckets, counts: this.#duration.counts, sum: this.#duration.sum }],
      },
    ];
  }

  /** The text a Prometheus scrape of /metrics receives. */
  render(): string {
    return renderPrometheusText(this.families());
  }
}
