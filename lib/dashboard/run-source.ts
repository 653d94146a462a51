// Where one run's live figures come from, per backend, read without taking anything (passive
// observers): the plan, the monitor's figures, the run's state, and what else the broker can tell
// without consuming (Redis: workers, chunks in flight, results; RabbitMQ: dead letters put back).
import type { ChunkResult, DeadLetterRecord, QueueStats, RunPlan } from "../backends/backend.ts";
import type { BackendName } from "../backends/open-backend.ts";
import type { ConsumerSighting, InFlightChunk } from "../backends/redis/redis-run-details.ts";
import type { RunListing } from "../backends/run-listing.ts";

export type SourceReading = {
  plan: RunPlan;
  stats: QueueStats;
  state: RunListing;
  consumers: ConsumerSighting[];
  inFlight: InFlightChunk[];
  /** Results published since the last reading (Redis; RabbitMQ's are its coordinator's to take). */
  results: ChunkResult[];
  /** The run's dead letters, when read at this reading (undefined: unchanged since the last). */
  deadLetters?: DeadLetterRecord[];
};

export type RunSource = {
  /** undefined when the run is not (or no longer) on the broker. */
  read(): Promise<SourceReading | undefined>;
  /** What this backend's page cannot show, and why. */
  readonly notes: string[];
  close(): Promise<void>;
};

export type SourceOptions = { backend: BackendName; url: string; namespace: string; runId: string; staleThresholdMs: number };

export async function openRunSource(o: SourceOptions): Promise<RunSource> {
  if (o.backend === "redis") return (await import("./redis-run-source.ts")).openRedisRunSource(o);
  return (await import("./rabbitmq-run-source.ts")).openRabbitmqRunSource(o);
}

/** Options of a passive observer: it looks, never takes, acks or renews anything. */
export function passiveObserverOptions(o: SourceOptions) {
  return {
    url: o.url,
    namespace: o.namespace,
    runId: o.runId,
    consumer: "dashboard",
    maxDeliveries: 3,
    retryDelayMs: 500,
    staleThresholdMs: o.staleThresholdMs,
    staleCheckIntervalMs: 250,
    passive: true,
  };
}
