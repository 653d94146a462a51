// The monitor's screen for people (cli-table3), and its JSON for machines.
import chalk from "chalk";
import Table from "cli-table3";
import { bar, formatDuration } from "../script/progress-bar.ts";
import type { MonitorView } from "./monitor-view.ts";
import { bestSoFarText, topOf } from "../results/best-points.ts";

const n = (x: number) => x.toLocaleString("en-US");

export function renderMonitor(v: MonitorView, options: { color?: boolean } = {}): string {
  const style = options.color ? { compact: true } : { compact: true, head: [], border: [] };
  const lines: string[] = [];
  const pct = v.totalChunks ? Math.floor((100 * v.stats.accepted) / v.totalChunks) : 0;
  lines.push(`TTG monitor — ${v.backend} — run ${v.runId} — ${v.at.toISOString().slice(11, 19)} UTC`);
  lines.push(
    `${bar(v.totalChunks ? v.stats.accepted / v.totalChunks : 0, 30)} ${n(v.stats.accepted)}/${n(v.totalChunks)} chunks (${pct}%)`,
  );
  const summary = new Table({ style });
  const inFlight = Object.values(v.stats.inFlight).reduce((a, b) => a + b, 0);
  if (v.state) summary.push({ state: `${v.state.state} — ${v.state.why}` });
  summary.push(
    { "chunks done": `${n(v.stats.accepted)} / ${n(v.totalChunks)}` },
    { "params done": `${n(v.paramsDone)} / ${n(v.totalParameters)} (chunk size ${n(v.chunkSize)})` },
    { "waiting": n(v.stats.pending) },
    { "in flight": n(inFlight) },
    ...(v.stats.failedParams === undefined ? [] : [{ "params failed (no value)": n(v.stats.failedParams) }]),
    { "dead-lettered": n(v.stats.deadLettered) },
    { "duplicates discarded": n(v.stats.duplicates) },
    { "throughput": v.paramsPerSecond === null ? "–" : `${n(Math.round(v.paramsPerSecond))} params/s` },
    { "ETA": v.settled ? "done" : v.state?.state === "abandoned" ? "– (nobody works on it)" : v.etaSeconds === null ? "–" : formatDuration(v.etaSeconds) },
  );
  const best = v.stats.best && topOf(v.stats.best);
  if (best) summary.push({ "best so far": bestSoFarText(best) });
  lines.push(summary.toString());
  const workers = Object.entries(v.stats.inFlight).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
  if (workers.length) {
    const t = new Table({ head: ["worker", "chunks in flight"], style });
    for (const [w, c] of workers) t.push([w, n(c)]);
    lines.push(t.toString());
  }
  const extra = Object.entries(v.stats.extra);
  if (extra.length) {
    const t = new Table({ head: ["broker figure", "value"], style });
    for (const [k, val] of extra) t.push([k, typeof val === "number" ? n(val) : val]);
    lines.push(t.toString());
  }
  if (v.settled) {
    const clean = v.stats.deadLettered === 0;
    const line = clean
      ? `SETTLED — all ${n(v.totalChunks)} chunks have exactly one accepted result`
      : `SETTLED WITH DEAD LETTERS — ${n(v.stats.deadLettered)} chunk(s) dead-lettered`;
    lines.push(options.color ? (clean ? chalk.green(line) : chalk.red(line)) : line);
  }
  return lines.join("\n");
}

export function monitorJson(v: MonitorView): string {
  return JSON.stringify({
    at: v.at.toISOString(),
    backend: v.backend,
    runId: v.runId,
    ...(v.state ? { state: v.state.state, why: v.state.why } : {}),
    chunks: { total: v.totalChunks, accepted: v.stats.accepted, waiting: v.stats.pending, deadLettered: v.stats.deadLettered, duplicates: v.stats.duplicates },
    params: { total: v.totalParameters, done: v.paramsDone, ...(v.stats.failedParams === undefined ? {} : { failed: v.stats.failedParams }) },
    inFlight: v.stats.inFlight,
    paramsPerSecond: v.paramsPerSecond,
    etaSeconds: v.etaSeconds,
    settled: v.settled,
    ...(v.stats.best ? { best: v.stats.best } : {}),
    broker: v.stats.extra,
  });
}
