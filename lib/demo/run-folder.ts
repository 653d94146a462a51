// A run's folder (reports/<run>/) as the coordinator keeps it while the run goes: run.json (the
// resolved configuration), work/journal.jsonl (what the coordinator learned, as it learned it) and
// work/results.spool (the accepted values). A fresh run starts it empty; a resumed run reopens it
// and rebuilds its ledger from the journal, so its one report covers the whole run.
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { RunLedger } from "../report/run-ledger.ts";
import { readRunJournal, RunJournal, type JournaledChunk, type JournalEntry } from "../report/run-journal.ts";
import { reportDir } from "../report/write-report.ts";
import { ResultsSpool } from "../results/results-spool.ts";
import { saveRun, type SavedRun } from "../sweep/saved-run.ts";
import type { SweepConfig } from "../sweep/sweep-config.ts";
import { chunkCount } from "../backends/backend.ts";
import { sweepSpace } from "../sweep-def/sweep-space.ts";

export type RunFolder = {
  dir: string;
  workDir: string;
  ledger: RunLedger;
  journal: RunJournal;
  spool: ResultsSpool | undefined;
};

/** A resumed run's folder, and the chunks its interrupted coordinator had accepted. */
export type ReopenedRunFolder = RunFolder & {
  startedAt: Date;
  chunks: JournaledChunk[];
  /** Restores a journaled chunk's values into the spool; false when they did not reach the disk. */
  keptValues(chunk: JournaledChunk): boolean;
};

export const JOURNAL_FILE = "journal.jsonl";

function expectedChunks(cfg: SweepConfig): number {
  return cfg.backend === "static" ? cfg.workers : chunkCount(cfg.params, cfg.chunkSize);
}

function openParts(cfg: SweepConfig, dir: string): RunFolder {
  const workDir = join(dir, "work");
  const journal = new RunJournal(join(workDir, JOURNAL_FILE));
  const ledger = new RunLedger(expectedChunks(cfg), cfg.sweep ? { pointOf: sweepSpace(cfg.sweep).pointOf } : {});
  const spool = cfg.results === "none" ? undefined : new ResultsSpool(join(workDir, "results.spool"), cfg.results, cfg.resultsFormat);
  return { dir, workDir, ledger, journal, spool };
}

/** A new run: an empty folder (nothing of an earlier run of that id is mixed in) with its run.json. */
export async function freshRunFolder(cfg: SweepConfig, startedAt: Date): Promise<RunFolder> {
  const dir = reportDir(cfg.reportsDir, cfg.runId);
  await rm(dir, { recursive: true, force: true });
  await saveRun(dir, cfg, startedAt);
  const folder = openParts(cfg, dir);
  await mkdir(folder.workDir, { recursive: true });
  folder.ledger.journal = folder.journal;
  return folder;
}

/** Whether the run's folder still has a journal (an interrupted or unsettled run). */
export async function hasJournal(cfg: Pick<SweepConfig, "reportsDir" | "runId">): Promise<boolean> {
  return stat(join(reportDir(cfg.reportsDir, cfg.runId), "work", JOURNAL_FILE)).then(() => true, () => false);
}

/** Replays the journal into a new ledger: timeline, faults, progress; the chunks go to the driver. */
export async function reopenRunFolder(cfg: SweepConfig, saved: SavedRun): Promise<ReopenedRunFolder> {
  const folder = openParts(cfg, reportDir(cfg.reportsDir, cfg.runId));
  const entries = readRunJournal(folder.journal.path);
  const { ledger } = folder;
  const chunks: JournaledChunk[] = [];
  for (const e of entries) {
    if (e.k === "chunk") chunks.push(e.chunk);
    else if (e.k === "event") ledger.timeline.push(e.event);
    else if (e.k === "fault") ledger.faults.push(e.fault);
    else ledger.progress.push(e.sample);
  }
  ledger.journal = folder.journal;
  const last = [...ledger.timeline].reverse().find((e) => e.event === "start" || e.event === "resumed" || e.event === "interrupted");
  if (last?.event !== "interrupted") {
    ledger.note("interrupted", "the coordinator stopped without a word (killed, or its machine or broker went down) at its last sign of life", lastSignOfLife(entries, new Date(saved.startedAt)));
  }
  const interruptions = ledger.timeline.filter((e) => e.event === "interrupted").length;
  ledger.resume = { resumedAt: new Date(), interruptions, paramsBefore: 0, paramsAfter: 0 };
  const spoolBytes = await stat(join(folder.workDir, "results.spool")).then((s) => s.size, () => 0);
  const keptValues = (chunk: JournaledChunk) => folder.spool?.restore(chunk.chunkId, chunk.spool, spoolBytes) ?? true;
  return { ...folder, startedAt: new Date(saved.startedAt), chunks, keptValues };
}

function lastSignOfLife(entries: readonly JournalEntry[], startedAt: Date): Date {
  let last = startedAt.getTime();
  for (const e of entries) {
    const at =
      e.k === "chunk" ? Date.parse(e.chunk.finishedAt)
      : e.k === "event" ? Date.parse(e.event.at)
      : e.k === "fault" ? Date.parse(e.fault.at)
      : startedAt.getTime() + e.sample.seconds * 1000;
    if (Number.isFinite(at) && at > last) last = at;
  }
  return new Date(last);
}
