// workers.svg: each worker's throughput while busy (accepted parameters / busy seconds) as a
// horizontal bar, labelled with the numbers it comes from. A pure rendering of report.json.
import type { RunReport, WorkerRow } from "./report-model.ts";
import { COLORS, line, niceTicks, px, svgDocument, text, tickLabel } from "./render-svg-kit.ts";

const W = 760;
const ROW = 26;

/** "worker 3" for a numeric id; a pod name as it is, shortened if very long. */
function workerLabel(id: string): string {
  if (/^\d+$/.test(id)) return `worker ${id}`;
  return id.length > 30 ? `${id.slice(0, 29)}…` : id;
}

function workerThroughput(w: WorkerRow): number | undefined {
  return w.busySeconds > 0 ? w.params / w.busySeconds : undefined;
}

export function renderWorkersSvg(r: RunReport): string {
  const rows = r.perWorker;
  // Room on the left for the longest worker name (about 6.6 px a character at 12 px).
  const M = { left: Math.max(96, 16 + 6.6 * Math.max(0, ...rows.map((w) => workerLabel(w.worker).length))), right: 250, top: 56, bottom: 52 };
  const plotW = W - M.left - M.right;
  const plotH = Math.max(1, rows.length) * ROW;
  const H = M.top + plotH + M.bottom;
  const ticks = niceTicks(Math.max(0, ...rows.map((w) => workerThroughput(w) ?? 0)), 5);
  const xMax = ticks.at(-1) ?? 1;
  const x = (v: number) => M.left + (plotW * v) / xMax;
  const body: string[] = [];

  body.push(text(M.left, 22, `Throughput per worker, run ${r.runId}`, { size: 14, weight: "bold" }));
  body.push(
    text(M.left, 40, `accepted parameters per busy second; whole run: ${r.paramsPerSecond.toLocaleString("en-US")} params/s over ${r.wallSeconds.toFixed(2)} s wall time`, {
      fill: COLORS.muted,
    }),
  );
  for (const t of ticks) {
    body.push(line(x(t), M.top, x(t), M.top + plotH, COLORS.grid));
    body.push(text(x(t), M.top + plotH + 18, tickLabel(t), { anchor: "middle" }));
  }
  body.push(line(M.left, M.top, M.left, M.top + plotH, COLORS.axis));
  body.push(line(M.left, M.top + plotH, M.left + plotW, M.top + plotH, COLORS.axis));
  body.push(text(M.left + plotW / 2, H - 12, "throughput while busy (params/s)", { anchor: "middle" }));

  if (rows.length === 0) {
    body.push(text(M.left + 8, M.top + ROW / 2 + 4, "no worker delivered an accepted chunk", { fill: COLORS.muted }));
  }
  rows.forEach((w, i) => {
    const top = M.top + i * ROW;
    const rate = workerThroughput(w);
    body.push(text(M.left - 8, top + ROW / 2 + 4, workerLabel(w.worker), { anchor: "end" }));
    if (rate !== undefined) {
      body.push(`<rect x="${px(M.left)}" y="${px(top + 4)}" width="${px(x(rate) - M.left)}" height="${ROW - 8}" fill="${COLORS.bar}"/>`);
    }
    const label =
      rate === undefined
        ? `no busy time (${w.params.toLocaleString("en-US")} params)`
        : `${tickLabel(Number(rate.toFixed(1)))} params/s (${w.params.toLocaleString("en-US")} in ${w.busySeconds.toFixed(2)} s)`;
    body.push(text(x(rate ?? 0) + 6, top + ROW / 2 + 4, label));
  });
  return svgDocument(W, H, `Throughput per worker, run ${r.runId}`, body);
}
