// When `monitor.ts --run-id X --watch N` stops by itself: the run settled (exit 0), it is gone
// from the broker (purged after it finished: exit 3), or nobody has worked on it for a few
// readings (abandoned: exit 4). A watch never keeps going on a run nobody works on.
import { EXIT_CODES } from "../script/exit-codes.ts";
import type { MonitorView } from "./monitor-view.ts";

export const MONITOR_EXIT = { settled: EXIT_CODES.ok, gone: EXIT_CODES.runGone, abandoned: EXIT_CODES.runAbandoned } as const;

/** A run counts as abandoned after this many readings in a row in that state, over at least ABANDONED_GRACE_MS. */
export const ABANDONED_READINGS = 3;
export const ABANDONED_GRACE_MS = 5_000;

export type WatchEnd = { reason: keyof typeof MONITOR_EXIT; code: number; line: string };

/** Readings in a row that found the run abandoned, and when the first of them was taken. */
export type AbandonedStreak = { readings: number; since?: Date };

export function nextStreak(streak: AbandonedStreak, view: MonitorView): AbandonedStreak {
  if (view.state?.state !== "abandoned") return { readings: 0 };
  return { readings: streak.readings + 1, since: streak.since ?? view.at };
}

export function settledEnd(view: MonitorView): WatchEnd | undefined {
  if (!view.settled) return undefined;
  const dead = view.stats.deadLettered;
  const line = dead === 0
    ? `Run ${view.runId} settled: all ${view.totalChunks} chunks have exactly one accepted result.`
    : `Run ${view.runId} settled with ${dead} of ${view.totalChunks} chunk(s) dead-lettered.`;
  return { reason: "settled", code: MONITOR_EXIT.settled, line };
}

export function abandonedEnd(view: MonitorView, streak: AbandonedStreak): WatchEnd | undefined {
  if (streak.readings < ABANDONED_READINGS || !streak.since || view.at.getTime() - streak.since.getTime() < ABANDONED_GRACE_MS) return undefined;
  const why = view.state?.why ?? "nobody works on it";
  return {
    reason: "abandoned",
    code: MONITOR_EXIT.abandoned,
    line: `Run ${view.runId} is abandoned (${why}) at ${view.stats.accepted}/${view.totalChunks} chunks: stopped watching. Resume it with ./runbook/recover.ts --resume ${view.runId}, or see ./runbook/cleanup.ts --list.`,
  };
}

export function goneEnd(runId: string, backend: string, report: string | undefined): WatchEnd {
  const after = report ? `its report: ${report}` : "no report of it in the reports folder";
  return { reason: "gone", code: MONITOR_EXIT.gone, line: `Run ${runId} is gone from ${backend} (purged, usually after it finished; ${after}): stopped watching.` };
}
