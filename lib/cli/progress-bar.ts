// The demo's live line: [████████░░░░] 60/100 chunks (60%) | 25 params/sec | 24s | ETA 16s
import type { ProgressSnapshot } from "../sweep/progress-snapshot.ts";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

/** Params/s and ETA from the params done so far, over the elapsed seconds; a note (why the run is stuck) last. */
export function progressLine(snap: ProgressSnapshot, elapsedSeconds: number, options: { bar?: boolean; note?: string } = {}): string {
  const fraction = snap.paramsTotal ? snap.paramsDone / snap.paramsTotal : 0;
  const rate = elapsedSeconds > 0 ? snap.paramsDone / elapsedSeconds : 0;
  const remaining = snap.paramsTotal - snap.paramsDone;
  const eta = rate > 0 ? formatDuration(remaining / rate) : "?";
  const pct = Math.floor(100 * (snap.chunksExpected ? snap.chunksDone / snap.chunksExpected : fraction));
  const parts = [
    `${options.bar === false ? "" : `${bar(fraction)} `}${snap.chunksDone}/${snap.chunksExpected} chunks (${pct}%)`,
    `${snap.paramsDone.toLocaleString("en-US")}/${snap.paramsTotal.toLocaleString("en-US")} params`,
    `${Math.round(rate).toLocaleString("en-US")} params/sec`,
    formatDuration(elapsedSeconds),
    `ETA ${snap.paramsDone >= snap.paramsTotal ? "0s" : eta}`,
  ];
  if (snap.deadLettered) parts.push(`${snap.deadLettered} dead-lettered`);
  if (options.note) parts.push(options.note);
  return parts.join(" | ");
}
