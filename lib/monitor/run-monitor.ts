// monitor.ts: one snapshot, or a reading every N seconds until the run settles or Ctrl-C.
import { EXIT_CODES } from "../cli/exit-codes.ts";
import type { RunObserver } from "../backends/backend.ts";
import { openRunObserver, type BackendName } from "../backends/open-backend.ts";
import { connectRedis } from "../backends/redis/redis-connection.ts";
import { listRedisRuns } from "../backends/redis/list-runs.ts";
import { UsageError } from "../cli/usage-error.ts";
import { deriveView, type MonitorView } from "./monitor-view.ts";
import { monitorJson, renderMonitor } from "./render-monitor.ts";

export type MonitorOptions = {
  backend: BackendName;
  url: string;
  namespace: string;
  runId: string | undefined;
  watchSeconds: number | undefined;
  json: boolean;
  /** Stop watching after this many readings (tests); unlimited when undefined. */
  maxReadings?: number;
};

export type MonitorIO = { out: { isTTY?: boolean; write(s: string): unknown }; stopped?: Promise<unknown> };

async function latestRun(options: MonitorOptions): Promise<string> {
  if (options.backend !== "redis") throw new UsageError("Cannot pick a run by itself on rabbitmq: pass --run-id.");
  const client = await connectRedis({ url: options.url, connectTimeoutMs: 3000 });
  try {
    const runs = await listRedisRuns(client, options.namespace);
    if (!runs[0]) throw new UsageError(`Cannot find any run in namespace ${options.namespace} on ${options.backend}: start one with ./runbook/demo.ts.`);
    return runs[0].runId;
  } finally {
    client.disconnect();
  }
}

export async function runMonitor(options: MonitorOptions, io: MonitorIO): Promise<number> {
  const runId = options.runId ?? (await latestRun(options));
  const observer: RunObserver = await openRunObserver(options.backend, {
    url: options.url,
    namespace: options.namespace,
    runId,
    consumer: "monitor",
    maxDeliveries: 3,
    retryDelayMs: 500,
    staleThresholdMs: 1500,
    staleCheckIntervalMs: 250,
    passive: true,
  });
  try {
    const plan = await observer.describeRun?.();
    if (!plan) throw new UsageError(`Cannot find run ${runId} in namespace ${options.namespace} on ${options.backend}.`);
    let previous: MonitorView | undefined;
    let stop = false;
    void io.stopped?.then(() => (stop = true));
    for (let readings = 1; ; readings++) {
      const stats = await observer.stats();
      const view = deriveView(
        { at: new Date(), backend: options.backend, runId, totalChunks: plan.totalChunks, totalParameters: plan.totalParameters, chunkSize: plan.chunkSize, stats },
        previous,
        undefined,
      );
      previous = view;
      const text = options.json ? monitorJson(view) : renderMonitor(view, { color: io.out.isTTY === true });
      if (!options.json && io.out.isTTY && options.watchSeconds !== undefined) io.out.write("\x1b[2J\x1b[H");
      io.out.write(`${text}\n`);
      if (options.watchSeconds === undefined || stop || view.settled) return EXIT_CODES.ok;
      if (options.maxReadings !== undefined && readings >= options.maxReadings) return EXIT_CODES.ok;
      await new Promise((resolve) => setTimeout(resolve, options.watchSeconds! * 1000));
    }
  } finally {
    await observer.close();
  }
}
