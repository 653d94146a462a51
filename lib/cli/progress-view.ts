// Live progress: a redrawn bar on a terminal; plain periodic lines (no escape codes) otherwise.
import type { ProgressSnapshot } from "../sweep/progress-snapshot.ts";
import { progressLine } from "./progress-bar.ts";

export type ProgressView = {
  /** Redraws the line; `note` (why nothing is accepted) goes at its end. */
  update(snap: ProgressSnapshot, elapsedSeconds: number, note?: string): void;
  /** Prints a message above the bar. */
  say(line: string): void;
  done(snap: ProgressSnapshot, elapsedSeconds: number): void;
};

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
