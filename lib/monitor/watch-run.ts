// monitor.ts --run-id X: one snapshot, or a reading every N seconds until the run settles, is
// gone from the broker or is abandoned (watch-end.ts), or Ctrl-C.
import { openRunObserver, type BackendName } from "../backends/open-backend.ts";
import { UsageError } from "../script/usage-error.ts";
import { readReportRuns } from "../cleanup/report-runs.ts";
import { readingLoop, showReading, type LoopOptions, type MonitorIO } from "./monitor-loop.ts";
import { deriveView, type MonitorView } from "./monitor-view.ts";
import { monitorJson, renderMonitor } from "./render-monitor.ts";
import { openRunStateProbe, type RunStateProbe } from "./run-state-probe.ts";
import { abandonedEnd, goneEnd, nextStreak, settledEnd, type AbandonedStreak, type WatchEnd } from "./watch-end.ts";

export type WatchRunOptions = LoopOptions & { backend: BackendName; url: string; namespace: string; reportsDir: string };

/** "reports/X/report.json (verdict pass)" when the reports folder has the run's report. */
function reportOf(dir: string, runId: string): string | undefined {
  const r = readReportRuns(dir).find((x) => x.runId === runId);
  return r ? `${r.path} (verdict ${r.verdict})` : undefined;
}

function endText(o: WatchRunOptions, runId: string, end: WatchEnd): string {
  if (!o.json) return end.line;
  return JSON.stringify({ at: new Date().toISOString(), backend: o.backend, runId, stopped: end.reason, exitCode: end.code, message: end.line });
}

export async function watchRun(o: WatchRunOptions, runId: string, io: MonitorIO): Promise<number> {
  const observer = await openRunObserver(o.backend, {
    url: o.url,
    namespace: o.namespace,
    runId,
    consumer: "monitor",
    maxDeliveries: 3,
    retryDelayMs: 500,
    staleThresholdMs: 1500,
    staleCheckIntervalMs: 250,
    passive: true,
  });
  let probe: RunStateProbe | undefined;
  try {
    if (!(await observer.describeRun?.())) {
      const report = reportOf(o.reportsDir, runId);
      const fix = report ? `it is gone from the broker; its report: ${report}` : `list the runs there with ./runbook/monitor.ts --backend ${o.backend}`;
      throw new UsageError(`Cannot find run ${runId} in namespace ${o.namespace} on ${o.backend}: ${fix}.`);
    }
    const states = await openRunStateProbe(o.backend, o.url, o.namespace);
    probe = states;
    let previous: MonitorView | undefined;
    let streak: AbandonedStreak = { readings: 0 };
    const stopWith = (end: WatchEnd) => {
      io.out.write(`${endText(o, runId, end)}\n`);
      return end.code;
    };
    return await readingLoop(o, io, async () => {
      const plan = await observer.describeRun?.();
      if (!plan) return stopWith(goneEnd(runId, o.backend, reportOf(o.reportsDir, runId)));
      // One after the other: both read the run's done markers on RabbitMQ.
      const stats = await observer.stats();
      const { state, why } = await states.read(runId);
      const view = deriveView({ at: new Date(), backend: o.backend, runId, totalChunks: plan.totalChunks, totalParameters: plan.totalParameters, chunkSize: plan.chunkSize, stats, state: { state, why } }, previous, undefined);
      previous = view;
      streak = nextStreak(streak, view);
      showReading(o, io, o.json ? monitorJson(view) : renderMonitor(view, { color: io.out.isTTY === true }));
      if (o.watchSeconds === undefined) return undefined; // a snapshot shows; it does not judge
      const end = settledEnd(view) ?? abandonedEnd(view, streak);
      // The view's last line already says a run settled; a JSON reader still gets the end object.
      if (end?.reason === "settled" && !o.json) return end.code;
      return end ? stopWith(end) : undefined;
    });
  } finally {
    await probe?.close().catch(() => undefined);
    await observer.close();
  }
}
