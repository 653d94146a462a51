// Live progress: a redrawn bar on a terminal; plain periodic lines (no escape codes) otherwise.
// The demo's line: [████████░░░░] 60/100 chunks (60%) | 25 params/sec | 24s | ETA 16s | min 0.0123 @ x=0.5 · max 9.87 @ x=1
import type { ProgressSnapshot, ProgressView } from "../sweep/progress-snapshot.ts";
import { bar, formatDuration } from "../script/progress-bar.ts";
import { bestSoFarText } from "../results/best-points.ts";


export function createProgressView(
  stream: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(s: string): unknown },
  options: { plainEverySeconds?: number } = {},
): ProgressView {
  const tty = stream.isTTY === true;
  const every = options.plainEverySeconds ?? 5;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const clear = () => {
    if (tty && drawn) stream.write("\r\x1b[2K");
    drawn = false;
  };
  return {
    update(snap, elapsed, note) {
      const withNote = note ? { note } : {};
      if (tty) {
        // One terminal row: a wrapped line could not be redrawn in place.
        const line = progressLine(snap, elapsed, withNote);
        const width = "columns" in stream && stream.columns ? stream.columns - 1 : line.length;
        stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
        drawn = true;
      } else if (elapsed - lastPlain >= every) {
        lastPlain = elapsed;
        stream.write(`progress: ${progressLine(snap, elapsed, { bar: false, ...withNote })}\n`);
      }
    },
    say(line) {
      clear();
      stream.write(`${line}\n`);
    },
    done(snap, elapsed) {
      clear();
      stream.write(`${tty ? "" : "progress: "}${progressLine(snap, elapsed, { bar: tty })}\n`);
    },
  };
}

/** Params/s and ETA from the params done so far, over the elapsed seconds; the best so far; a note (why the run is stuck) last. */
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
  if (snap.failedParams) parts.push(`${snap.failedParams.toLocaleString("en-US")} param${snap.failedParams === 1 ? "" : "s"} failed`);
  if (snap.deadLettered) parts.push(`${snap.deadLettered} dead-lettered`);
  if (snap.best) parts.push(bestSoFarText(snap.best));
  if (options.note) parts.push(options.note);
  return parts.join(" | ");
}
