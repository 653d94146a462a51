// report.md: a pure rendering of report.json for a supervisor. Same report in, same text out.
import { bestPointsSection } from "./best-points-section.ts";
import { describeChunks, formatParamRange, plannedChunkRange } from "./chunk-ranges.ts";
import { failedParamRows } from "./failed-params-section.ts";
import { describeSweepShape } from "../sweep-def/sweep-shape.ts";
import type { ChunkRange, RunReport, TimelineEvent } from "./report-model.ts";

/** File names of the pictures written beside report.md (see write-report.ts). */
export const REPORT_PICTURES = { progress: "progress.svg", workers: "workers.svg" } as const;

const n = (x: number) => x.toLocaleString("en-US");
const num = (x: number | null) => (x === null ? "–" : n(Number(x.toFixed(4))));
const seconds = (x: number) => `${x.toFixed(2)} s`;
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;
const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

const EVENT_NAMES: Record<TimelineEvent["event"], string> = {
  start: "start",
  fault: "fault injected",
  recovered: "chunk taken over",
  interrupted: "interrupted",
  resumed: "resumed",
  retried: "failed parameters retried",
  finish: "finished",
  note: "note",
};

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => cell(String(c))).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Seconds from the run's start to an ISO time, e.g. "+1.63 s". */
function sinceStart(r: RunReport, at: string): string {
  const s = (Date.parse(at) - Date.parse(r.startedAt)) / 1000;
  return Number.isFinite(s) ? `+${Math.max(0, s).toFixed(2)} s` : "?";
}

const clock = (at: string) => (at.length >= 23 ? at.slice(11, 23) : at);

function redeliveredRanges(r: RunReport): ChunkRange[] {
  const seen = new Map<number, ChunkRange>();
  for (const d of r.recovery.redeliveries) {
    if (seen.has(d.chunkId)) continue;
    seen.set(
      d.chunkId,
      d.start !== undefined && d.end !== undefined ? { chunkId: d.chunkId, start: d.start, end: d.end } : plannedChunkRange(r, d.chunkId),
    );
  }
  return [...seen.values()].sort((a, b) => a.chunkId - b.chunkId);
}

/** Chunks with no accepted result: expected − accepted (dead-lettered ones included). */
function chunksWithoutResult(r: Pick<RunReport, "chunks">): number {
  return Math.max(0, r.chunks.expected - r.chunks.accepted);
}

function verdictSection(r: RunReport): string[] {
  if (r.verdict === "pass") {
    return [
      `**Verdict: PASS.** Every one of the ${n(r.chunks.expected)} chunks has exactly one accepted result; ` +
        `${n(r.params.covered)} of ${n(r.params.total)} parameters covered; the aggregate counts accepted results only` +
        (r.chunks.duplicatesDiscarded ? ` (${plural(r.chunks.duplicatesDiscarded, "duplicate copy", "duplicate copies")} discarded).` : "."),
    ];
  }
  const reasons = r.problems.length ? r.problems : ["the run was judged a failure (no reason recorded)"];
  return ["**Verdict: FAIL.** The run did not prove complete:", "", ...reasons.map((p) => `- ${p}`)];
}

/** What computed (a module, a command or the simulation) and over which sweep. */
function computeRows(c: RunReport["config"]): [string, string][] {
  const compute: [string, string] = c.computeCommand ? ["compute command", `\`${c.computeCommand}\``] : ["compute module", c.computeModule ?? "built-in simulation"];
  if (!c.sweep) return [compute];
  const file = c.sweepFile ? `${c.sweepFile}: ` : "";
  return [compute, ["sweep", `${file}${describeSweepShape(c.sweep)} (digest ${c.sweep.digest})`]];
}

function configurationSection(r: RunReport): string[] {
  return [
    "## Configuration",
    "",
    table(
      ["setting", "value"],
      [
        ["platform", r.platform],
        ["backend", r.backend],
        ["workers", n(r.workers)],
        ["scale", r.config.scale],
        ["parameters", n(r.config.params)],
        ["chunk size", r.backend === "static" ? `${n(r.chunks.expected)} static slices` : n(r.config.chunkSize)],
        ["simulated work per parameter", `${r.config.workMs} ms`],
        ...computeRows(r.config),
        ["fault demo", r.config.faultDemo ? "yes" : "no"],
        ["max deliveries", r.config.maxDeliveries ?? "–"],
        ["started (UTC)", r.startedAt],
        ["finished (UTC)", r.finishedAt],
      ],
    ),
    "",
  ];
}

/** A resumed run: how much of it each side of the resume computed. */
function resumeLine(r: RunReport): string[] {
  if (!r.resume) return [];
  const { interruptions, paramsComputedBefore: before, paramsComputedAfter: after } = r.resume;
  return [
    `Interrupted ${plural(interruptions, "time", "times")} and resumed (last at ${r.resume.resumedAt}): ` +
      `${plural(before, "parameter", "parameters")} computed before the resume, ${n(after)} after it.`,
    "",
  ];
}

function timelineSection(r: RunReport): string[] {
  if (r.timeline.length === 0) return ["## Timeline", "", "_No events recorded._", ""];
  return [
    "## Timeline",
    "",
    ...resumeLine(r),
    table(
      ["since start", "time (UTC)", "event", "detail"],
      r.timeline.map((e) => [sinceStart(r, e.at), clock(e.at), EVENT_NAMES[e.event] ?? e.event, e.detail]),
    ),
    "",
  ];
}

function chunksSection(r: RunReport): string[] {
  const missing = r.missingChunks ?? [];
  const lost = chunksWithoutResult(r);
  const unexplained = lost - r.chunks.deadLettered;
  const dupRanges = (r.duplicateChunks ?? []).map((d) => `chunk ${d.chunkId} (params ${formatParamRange(d)}) from worker ${d.worker}`);
  const rows: (string | number)[][] = [
    ["expected", n(r.chunks.expected), `params ${formatParamRange({ start: 0, end: r.params.total })}`],
    ["accepted (exactly one result each)", n(r.chunks.accepted), "–"],
    ["duplicates discarded", n(r.chunks.duplicatesDiscarded), dupRanges.length ? dupRanges.join(", ") : "–"],
    [
      "redelivered",
      n(r.chunks.redelivered),
      r.recovery.redeliveries.length ? describeChunks(redeliveredRanges(r)) : r.chunks.redelivered ? "retries; not recorded per chunk" : "–",
    ],
    ["dead-lettered", n(r.chunks.deadLettered), describeChunks(r.deadLetters)],
    [
      "without an accepted result (lost)",
      n(lost),
      missing.length
        ? describeChunks(missing) + (r.chunks.deadLettered ? ", plus the dead-lettered above" : "")
        : unexplained > 0
          ? "see the verdict's reasons"
          : lost > 0
            ? "the dead-lettered above"
            : "–",
    ],
  ];
  const out = ["## Chunks", "", table(["chunks", "count", "parameter ranges"], rows), ""];
  if (r.recovery.redeliveries.length) {
    out.push(
      "### Chunks taken over",
      "",
      table(
        ["chunk", "parameters", "from worker", "to worker", "worker died (UTC)", "taken over (UTC)", "after"],
        r.recovery.redeliveries.map((d) => [
          d.chunkId,
          formatParamRange(d.start !== undefined && d.end !== undefined ? { start: d.start, end: d.end } : plannedChunkRange(r, d.chunkId)),
          d.fromWorker,
          d.toWorker,
          clock(d.diedAt),
          clock(d.takenAt),
          seconds(d.seconds),
        ]),
      ),
      "",
    );
  }
  if (r.deadLetters.length) {
    out.push(
      "### Dead letters",
      "",
      table(
        ["chunk", "parameters", "attempts", "last error"],
        r.deadLetters.map((d) => [d.chunkId, formatParamRange(d), d.attempts, d.error]),
      ),
      "",
    );
  }
  if (missing.length) {
    out.push(
      "### Missing chunks",
      "",
      table(["chunk", "parameters"], missing.map((m) => [m.chunkId, formatParamRange(m)])),
      "",
    );
  }
  return out;
}

function failedParamsSection(r: RunReport): string[] {
  // Reports written before failures were per parameter have no list.
  const failed = r.failedParams ?? [];
  if (failed.length === 0) return [];
  return [
    "## Failed parameters",
    "",
    `${plural(failed.length, "parameter has", "parameters have")} no value; the results file holds a record for each, with its error. Grouped by error:`,
    "",
    table(["error", "cause", "parameters", "which", "attempts"], failedParamRows(failed)),
    "",
  ];
}

function resultsSection(r: RunReport): string[] {
  return [
    "## Results",
    "",
    table(
      ["measure", "value"],
      [
        ["parameters covered", `${n(r.params.covered)} / ${n(r.params.total)}`],
        ...(r.params.failed ? [["parameters failed (no value)", n(r.params.failed)]] : []),
        ["aggregate count", n(r.aggregate.count)],
        ["aggregate sum", num(r.aggregate.sum)],
        ["aggregate min / max", `${num(r.aggregate.min)} / ${num(r.aggregate.max)}`],
        ["wall time", seconds(r.wallSeconds)],
        ["throughput", `${n(r.paramsPerSecond)} params/s (covered parameters / wall time)`],
        ["faults injected", n(r.faults.length)],
        [
          "longest redelivery",
          r.recovery.redeliveries.length ? seconds(r.recovery.maxRedeliverySeconds) : "none needed",
        ],
      ],
    ),
    "",
  ];
}

function workersSection(r: RunReport): string[] {
  const rate = (params: number, busy: number) => (busy > 0 ? n(Number((params / busy).toFixed(1))) : "–");
  const total = r.perWorker.reduce(
    (t, w) => ({ chunks: t.chunks + w.chunks, params: t.params + w.params, busy: t.busy + w.busySeconds }),
    { chunks: 0, params: 0, busy: 0 },
  );
  const rows: (string | number)[][] = r.perWorker.map((w) => [
    w.worker,
    w.node ?? "–",
    n(w.chunks),
    n(w.params),
    w.busySeconds.toFixed(2),
    rate(w.params, w.busySeconds),
    w.exit,
  ]);
  rows.push(["**all**", "", n(total.chunks), n(total.params), total.busy.toFixed(2), rate(total.params, total.busy), ""]);
  return [
    "## Workers",
    "",
    `![Throughput per worker: parameters per busy second](${REPORT_PICTURES.workers})`,
    "",
    "Accepted chunks only: a duplicate or a chunk lost with a killed worker is not counted here.",
    "",
    table(["worker", "node", "chunks", "params", "busy (s)", "params/s while busy", "how it ended"], rows),
    "",
  ];
}

export function renderReportMarkdown(r: RunReport): string {
  const out: string[] = [];
  out.push(`# TTG run ${r.runId}: ${r.verdict === "pass" ? "PASS" : "FAIL"}`, "");
  out.push(
    `${r.backend} backend on ${r.platform}, ${n(r.workers)} workers, ${n(r.params.total)} parameters; ` +
      `${seconds(r.wallSeconds)} wall time, ${n(r.paramsPerSecond)} params/s.`,
    "",
  );
  out.push(...verdictSection(r), "");
  out.push(`![Progress over time, with faults and recoveries marked](${REPORT_PICTURES.progress})`, "");
  out.push(...configurationSection(r));
  out.push(...timelineSection(r));
  out.push(...chunksSection(r));
  out.push(...failedParamsSection(r));
  out.push(...resultsSection(r));
  out.push(...bestPointsSection(r));
  out.push(...workersSection(r));
  out.push(`_Rendered from report.json, the source of truth for run ${r.runId}._`, "");
  return out.join("\n");
}
