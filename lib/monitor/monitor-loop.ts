// The reading loop both monitor views share: one reading (a snapshot), or one every N seconds
// until a reading says stop, Ctrl-C, or maxReadings (tests). On a terminal a watch redraws.
import { EXIT_CODES } from "../script/exit-codes.ts";

export type LoopOptions = {
  watchSeconds: number | undefined;
  json: boolean;
  /** Stop watching after this many readings (tests); unlimited when undefined. */
  maxReadings?: number;
};

export type MonitorIO = { out: { isTTY?: boolean; write(s: string): unknown }; stopped?: Promise<unknown> };

/** Takes readings; `read` returns an exit code to stop with, or undefined to go on. */
export async function readingLoop(o: LoopOptions, io: MonitorIO, read: () => Promise<number | undefined>): Promise<number> {
  let stop = false;
  void io.stopped?.then(() => (stop = true));
  for (let readings = 1; ; readings++) {
    const code = await read();
    if (code !== undefined) return code;
    if (o.watchSeconds === undefined || stop) return EXIT_CODES.ok;
    if (o.maxReadings !== undefined && readings >= o.maxReadings) return EXIT_CODES.ok;
    await pause(o.watchSeconds * 1000, io.stopped);
    if (stop) return EXIT_CODES.ok;
  }
}

/** Writes a reading; a watch on a terminal (not --json) first clears the screen. */
export function showReading(o: LoopOptions, io: MonitorIO, text: string): void {
  if (!o.json && io.out.isTTY && o.watchSeconds !== undefined) io.out.write("\x1b[2J\x1b[H");
  io.out.write(`${text}\n`);
}

function pause(ms: number, stopped: Promise<unknown> | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void stopped?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
