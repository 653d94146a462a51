// Which parameters a chunk id covers, derived from the run's plan in report.json:
// static runs cut [0, total) into one slice per worker, queue runs into chunks of chunkSize.
import type { ChunkRange, RunReport } from "./report-model.ts";

type Plan = Pick<RunReport, "backend" | "config" | "chunks">;

export function plannedChunkRange(report: Plan, chunkId: number): ChunkRange {
  const total = report.config.params;
  if (report.backend === "static") {
    const slices = Math.max(1, report.chunks.expected);
    return {
      chunkId,
      start: Math.floor((chunkId * total) / slices),
      end: Math.floor(((chunkId + 1) * total) / slices),
    };
  }
  const size = Math.max(1, report.config.chunkSize);
  return { chunkId, start: Math.min(total, chunkId * size), end: Math.min(total, (chunkId + 1) * size) };
}

/** "0–999" (inclusive bounds, as a reader counts), or "none" for an empty range. */
export function formatParamRange(range: { start: number; end: number }): string {
  if (range.end <= range.start) return "none";
  const n = (x: number) => x.toLocaleString("en-US");
  return range.end - range.start === 1 ? n(range.start) : `${n(range.start)}–${n(range.end - 1)}`;
}

/** "chunk 3 (params 30–39), chunk 7 (params 70–79), and 4 more". */
export function describeChunks(ranges: ChunkRange[], limit = 8): string {
  if (ranges.length === 0) return "–";
  const shown = ranges.slice(0, limit).map((r) => `chunk ${r.chunkId} (params ${formatParamRange(r)})`);
  const more = ranges.length - shown.length;
  return more > 0 ? `${shown.join(", ")}, and ${more} more` : shown.join(", ");
}
