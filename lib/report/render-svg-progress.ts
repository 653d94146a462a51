// progress.svg: parameters done and chunks accepted over time, with each fault and each
// recovery (a chunk taken over) drawn as a labelled vertical line. A pure rendering of report.json.
import type { Fault, RunReport } from "./report-model.ts";
import { COLORS, line, niceTicks, px, svgDocument, text, tickLabel } from "./render-svg-kit.ts";

const W = 760;
const H = 380;
const M = { left: 64, right: 24, top: 64, bottom: 52 };
const MAX_LABELS = 6;

type Marker = { seconds: number; kind: "fault" | "recovery"; label: string };

const FAULT_VERBS: Record<Fault["kind"], string> = { kill: "killed", stop: "stopped", term: "terminated" };

function secondsSince(r: RunReport, at: string): number | undefined {
  const s = (Date.parse(at) - Date.parse(r.startedAt)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : undefined;
}

function progressMarkers(r: RunReport): Marker[] {
  const markers: Marker[] = [];
  const add = (at: string, kind: Marker["kind"], label: string) => {
    const seconds = secondsSince(r, at);
    if (seconds !== undefined) markers.push({ seconds, kind, label });
  };
  if (r.faults.length) {
    for (const f of r.faults) add(f.at, "fault", `worker ${f.worker} ${FAULT_VERBS[f.kind] ?? f.kind}`);
  } else {
    for (const e of r.timeline) if (e.event === "fault") add(e.at, "fault", "fault injected");
  }
  if (r.recovery.redeliveries.length) {
    for (const d of r.recovery.redeliveries) {
      add(d.takenAt, "recovery", `chunk ${d.chunkId} taken over by worker ${d.toWorker} after ${d.seconds.toFixed(2)} s`);
    }
  } else {
    for (const e of r.timeline) if (e.event === "recovered") add(e.at, "recovery", "chunk taken over");
  }
  return markers.sort((a, b) => a.seconds - b.seconds || a.kind.localeCompare(b.kind));
}

/** Rough width of a 12 px sans-serif label, to keep labels inside the plot. */
const textWidth = (s: string) => s.length * 6.6;

function legend(r: RunReport, markers: Marker[]): string[] {
  const none = (kind: Marker["kind"]) => (markers.some((m) => m.kind === kind) ? "" : " (none)");
  const items: [string, string, string][] = [
    [COLORS.params, "", `params done (of ${r.params.total.toLocaleString("en-US")})`],
    [COLORS.chunks, "", `chunks accepted (of ${r.chunks.expected.toLocaleString("en-US")})`],
    [COLORS.fault, `stroke-dasharray="5 3"`, `fault${none("fault")}`],
    [COLORS.recovery, `stroke-dasharray="5 3"`, `chunk taken over${none("recovery")}`],
  ];
  const out: string[] = [];
  let x = M.left;
  for (const [color, dash, label] of items) {
    out.push(line(x, 44, x + 22, 44, color, `stroke-width="2.5"${dash ? ` ${dash}` : ""}`));
    out.push(text(x + 28, 48, label));
    x += 46 + textWidth(label);
  }
  return out;
}

export function renderProgressSvg(r: RunReport): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const markers = progressMarkers(r);
  const lastSample = r.progress.at(-1)?.seconds ?? 0;
  // The axis ends where the run ends, so the whole width shows the run; ticks stop before it.
  const xMax = Math.max(r.wallSeconds, lastSample, ...markers.map((m) => m.seconds), 0.001);
  const xTicks = niceTicks(xMax, 8).filter((t) => t <= xMax * (1 + 1e-9));
  const x = (s: number) => M.left + (plotW * s) / xMax;
  const y = (pct: number) => M.top + plotH - (plotH * Math.min(100, Math.max(0, pct))) / 100;
  const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);
  const body: string[] = [];

  const title = `Progress of run ${r.runId} (${r.backend} on ${r.platform}, ${r.workers} workers): ${r.verdict === "pass" ? "PASS" : "FAIL"}`;
  body.push(text(M.left, 22, title, { size: 14, weight: "bold" }));
  body.push(...legend(r, markers));
  for (const t of [0, 25, 50, 75, 100]) {
    body.push(line(M.left, y(t), M.left + plotW, y(t), COLORS.grid));
    body.push(text(M.left - 6, y(t) + 4, `${t}%`, { anchor: "end" }));
  }
  for (const t of xTicks) {
    body.push(line(x(t), M.top + plotH, x(t), M.top + plotH + 5, COLORS.axis));
    body.push(text(x(t), M.top + plotH + 18, tickLabel(t), { anchor: "middle" }));
  }
  body.push(line(M.left, M.top, M.left, M.top + plotH, COLORS.axis));
  body.push(line(M.left, M.top + plotH, M.left + plotW, M.top + plotH, COLORS.axis));
  body.push(text(M.left + plotW / 2, H - 12, "time since start (s)", { anchor: "middle" }));
  body.push(text(16, M.top + plotH / 2, "progress (% of total)", { anchor: "middle", rotate: -90 }));

  if (r.progress.length === 0) {
    body.push(text(M.left + plotW / 2, M.top + plotH / 2, "no progress samples recorded", { anchor: "middle", fill: COLORS.muted }));
  } else {
    const paramPoints = r.progress.map((s) => `${px(x(s.seconds))},${px(y(pct(s.params, r.params.total)))}`);
    const chunkPoints: string[] = [];
    let previous: number | undefined;
    for (const s of r.progress) {
      const cy = y(pct(s.chunks, r.chunks.expected));
      if (previous !== undefined) chunkPoints.push(`${px(x(s.seconds))},${px(previous)}`);
      chunkPoints.push(`${px(x(s.seconds))},${px(cy)}`);
      previous = cy;
    }
    body.push(`<polyline points="${chunkPoints.join(" ")}" fill="none" stroke="${COLORS.chunks}" stroke-width="2"/>`);
    body.push(`<polyline points="${paramPoints.join(" ")}" fill="none" stroke="${COLORS.params}" stroke-width="2.5"/>`);
    const last = r.progress.at(-1);
    if (last) {
      const n = (v: number) => v.toLocaleString("en-US");
      const endLabel = `at the end: ${n(last.params)} / ${n(r.params.total)} params, ${n(last.chunks)} / ${n(r.chunks.expected)} chunks`;
      // Bottom right: the corner a run's curve leaves empty, clear of the marker labels at the top.
      body.push(text(M.left + plotW - 4, M.top + plotH - 8, endLabel, { anchor: "end", halo: true }));
    }
  }

  markers.forEach((m, i) => {
    const color = m.kind === "fault" ? COLORS.fault : COLORS.recovery;
    body.push(line(x(m.seconds), M.top, x(m.seconds), M.top + plotH, color, `stroke-width="1.5" stroke-dasharray="5 3"`));
    if (i >= MAX_LABELS) return;
    const label = `+${m.seconds.toFixed(2)} s: ${m.label}`;
    const fitsRight = x(m.seconds) + 4 + textWidth(label) <= M.left + plotW;
    const fitsLeft = x(m.seconds) - 4 - textWidth(label) >= M.left;
    const anchor = fitsRight || !fitsLeft ? "start" : "end";
    const lx = fitsRight ? x(m.seconds) + 4 : fitsLeft ? x(m.seconds) - 4 : M.left + 4;
    body.push(
      text(lx, M.top + 14 + 15 * i, label, {
        anchor,
        fill: color,
        halo: true,
      }),
    );
  });
  if (markers.length > MAX_LABELS) {
    body.push(
      text(M.left + plotW, H - 12, `${markers.length - MAX_LABELS} more markers not labelled (see report.md)`, {
        anchor: "end",
        fill: COLORS.muted,
        size: 11,
      }),
    );
  }
  return svgDocument(W, H, `Progress of run ${r.runId}`, body);
}
