// Does a dashboard watched by many people slow the run it shows? The same sleep-bound sweep runs
// alternately alone and with the dashboard serving `clients` pollers (each asks for the run list and
// the run's page once a second, as the page does); the figure is the slowdown of the median wall time.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { startDashboard } from "../../lib/dashboard/start-dashboard.ts";
import { BenchSweep, type SweepSpec } from "./queue-sweep.ts";
import { median } from "./stats.ts";

export type DashboardLoadPlan = { params: number; chunkSize: number; workMs: number; workers: number; clients: number; trials: number };

export type DashboardLoadFigure = {
  backend: BackendName;
  plan: DashboardLoadPlan;
  aloneSeconds: number[];
  watchedSeconds: number[];
  /** Answers the pollers got, over all watched trials. */
  answers: number;
  /** median(watched) / median(alone) - 1 */
  slowdown: number;
};

/** `clients` pollers, each fetching the page's two endpoints once a second until stopped. */
function startPollers(base: string, backend: BackendName, runId: string, clients: number): { stop(): Promise<number> } {
  let stopped = false;
  let answers = 0;
  const paths = ["api/runs", `api/runs/${backend}/${encodeURIComponent(runId)}`];
  const poller = async (offsetMs: number) => {
    await new Promise((r) => setTimeout(r, offsetMs));
    while (!stopped) {
      const began = Date.now();
      for (const path of paths) {
        const res = await fetch(new URL(path, base)).catch(() => undefined);
        if (res?.ok) answers++;
        await res?.arrayBuffer().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - began))));
    }
  };
  const running = Array.from({ length: clients }, (_, i) => poller((1000 * i) / clients));
  return {
    async stop() {
      stopped = true;
      await Promise.all(running);
      return answers;
    },
  };
}

async function oneSweep(spec: SweepSpec, plan: DashboardLoadPlan, watched: boolean): Promise<{ seconds: number; answers: number }> {
  const sweep = new BenchSweep(spec);
  try {
    await sweep.load();
    const dashboard = watched
      ? await startDashboard({ targets: [{ backend: spec.backend, url: spec.url, namespace: sweep.ns.namespace, runIds: [sweep.ns.runId] }], reportsDir: "reports", host: "127.0.0.1", port: 0 })
      : undefined;
    const pollers = dashboard ? startPollers(dashboard.url, spec.backend, sweep.ns.runId, plan.clients) : undefined;
    let answers = 0;
    try {
      await sweep.startWorkers(plan.workers);
      await sweep.waitForAll(300_000);
    } finally {
      answers = (await pollers?.stop()) ?? 0;
      await dashboard?.close();
    }
    if (watched && answers === 0) throw new Error("Cannot measure the dashboard's load: no poller got an answer");
    return { seconds: sweep.timing().wallSeconds, answers };
  } finally {
    await sweep.close();
  }
}

export async function measureDashboardLoad(backend: BackendName, url: string, plan: DashboardLoadPlan, say: (line: string) => void): Promise<DashboardLoadFigure> {
  const spec: SweepSpec = { backend, url, params: plan.params, chunkSize: plan.chunkSize, workMs: plan.workMs, label: "dashboard-load" };
  const alone: number[] = [];
  const watched: number[] = [];
  let answers = 0;
  for (let t = 1; t <= plan.trials; t++) {
    // Alternate, so a change in the machine's load touches both sides alike.
    const a = await oneSweep(spec, plan, false);
    alone.push(a.seconds);
    const w = await oneSweep(spec, plan, true);
    watched.push(w.seconds);
    answers += w.answers;
    say(`${backend} dashboard load, trial ${t}/${plan.trials}: alone ${a.seconds.toFixed(2)} s, with ${plan.clients} polling clients ${w.seconds.toFixed(2)} s (${w.answers} answers)`);
  }
  return { backend, plan, aloneSeconds: alone, watchedSeconds: watched, answers, slowdown: median(watched) / median(alone) - 1 };
}

export function renderDashboardLoad(figures: readonly DashboardLoadFigure[], command: string): string {
  const lines = [
    "# Dashboard load: does a watched run slow down?",
    "",
    `Command: \`${command}\`. The same sleep-bound sweep runs alternately alone and with the web dashboard serving polling clients (each fetches \`/api/runs\` and the run's \`/api/runs/<backend>/<run>\` once a second, as the page does). Target: at most 5 % slower.`,
    "",
    "| backend | sweep | clients | alone, median (s) | watched, median (s) | slowdown | answers served | target met |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const f of figures) {
    const p = f.plan;
    const sweep = `${p.params.toLocaleString("en-US")} params × ${p.workMs} ms, chunk ${p.chunkSize}, ${p.workers} workers, ${p.trials} trials`;
    lines.push(`| ${f.backend} | ${sweep} | ${p.clients} | ${median(f.aloneSeconds).toFixed(2)} (${f.aloneSeconds.map((s) => s.toFixed(2)).join(", ")}) | ${median(f.watchedSeconds).toFixed(2)} (${f.watchedSeconds.map((s) => s.toFixed(2)).join(", ")}) | ${(100 * f.slowdown).toFixed(1)} % | ${f.answers} | ${f.slowdown <= 0.05 ? "yes" : "no"} |`);
  }
  return `${lines.join("\n")}\n`;
}
