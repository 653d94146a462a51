// A run's journal: what its coordinator learned, appended as it goes, so a coordinator that is
// killed (SIGKILL, a reboot) leaves behind everything a resumed one needs to write one report for
// the whole run. One JSON object a line: each accepted chunk (its result without the values, and
// where its values are in the results spool), timeline events, faults and progress samples.
// Appends are synchronous, so a line is in the file before the broker is told the results were
// kept (RabbitMQ acks them on the coordinator's next read); a torn last line is ignored.
import { appendFileSync, closeSync, fdatasyncSync, openSync, readFileSync } from "node:fs";
import type { ChunkResult } from "../backends/backend.ts";
import type { Fault, ProgressSample, TimelineEvent } from "./report-model.ts";

/** A chunk's accepted result as journaled: everything but the values, and where the values went. */
export type JournaledChunk = Omit<ChunkResult, "values"> & { spool?: { offset: number; length: number } };

export type JournalEntry =
  | { k: "chunk"; chunk: JournaledChunk }
  | { k: "event"; event: TimelineEvent }
  | { k: "fault"; fault: Fault }
  | { k: "sample"; sample: ProgressSample };

export class RunJournal {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
  }

  #open(): number {
    this.#fd ??= openSync(this.path, "a");
    return this.#fd;
  }

  /** Appends entries in one write; durable against a machine crash when `sync` is set. */
  append(entries: readonly JournalEntry[], o: { sync?: boolean } = {}): void {
    if (entries.length === 0) return;
    const fd = this.#open();
    appendFileSync(fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    if (o.sync) fdatasyncSync(fd);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Every complete entry of a journal, in order; [] when there is none. */
export function readRunJournal(path: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // The line a killed coordinator was writing: nothing after it was written either.
      break;
    }
  }
  return entries;
}
