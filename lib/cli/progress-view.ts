// Live progress: a redrawn bar on a terminal; plain periodic lines (no escape codes) otherwise.
import type { ProgressSnapshot } from "../sweep/progress-snapshot.ts";
import { progressLine } from "./progress-bar.ts";

export type ProgressView = {
  update(snap: ProgressSnapshot, elapsedSeconds: number): void;
  /** Prints a message above the bar. */
  say(line: string): void;
  done(snap: ProgressSnapshot, elapsedSeconds: number): void;
};

export function createProgressView(
  stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown },
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
    update(snap, elapsed) {
      if (tty) {
        stream.write(`\r\x1b[2K${progressLine(snap, elapsed)}`);
        drawn = true;
      } else if (elapsed - lastPlain >= every) {
        lastPlain = elapsed;
        stream.write(`progress: ${progressLine(snap, elapsed, { bar: false })}\n`);
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
