// What the demo prints for people: header, numbered steps, summary.
import type { RunReport } from "../report/report-model.ts";
import type { SweepConfig } from "../sweep/sweep-config.ts";
import { chunkCount } from "../backends/backend.ts";

export function demoHeader(cfg: SweepConfig, platformReason?: string): string[] {
  const rows: [string, string][] = [
    ["Run id", cfg.runId],
    ["Platform", platformReason ? `${cfg.platform} (${platformReason})` : cfg.platform],
    ["Backend", cfg.backend],
    ["Scale", cfg.scale],
    ["Workers", String(cfg.workers)],
    ["Parameters", cfg.params.toLocaleString("en-US")],
    [
      "Chunk size",
      cfg.backend === "static"
        ? `${cfg.workers} static slices, progress every ${cfg.chunkSize.toLocaleString("en-US")} params`
        : `${cfg.chunkSize.toLocaleString("en-US")} (${chunkCount(cfg.params, cfg.chunkSize).toLocaleString("en-US")} chunks)`,
    ],
    ["Work per param", `${cfg.workMs} ms${cfg.computeModule ? ` + ${cfg.computeModule}` : ""}`],
    ["Monitor", cfg.monitor],
    ["Fault demo", cfg.faultDemo ? `yes (kill one worker at ~${Math.round(cfg.faultAt * 100)}%)` : "no"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ["TTG distributed sweep", ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ""];
}

const SHOWN_FAILURES = 5;

/** The first few failed parameters, one line each, and how many more. */
function failedParamLines(r: RunReport): string[] {
  const failed = r.failedParams ?? [];
  const lines = failed.slice(0, SHOWN_FAILURES).map((f) => `    param ${f.param}: ${f.cause} (${f.attempts} attempt${f.attempts === 1 ? "" : "s"}): ${f.error}`);
  if (failed.length > SHOWN_FAILURES) lines.push(`    ... and ${(failed.length - SHOWN_FAILURES).toLocaleString("en-US")} more (report.md groups them by error)`);
  return lines;
}

export function demoSummary(r: RunReport): string[] {
  const completed = r.perWorker.filter((w) => w.exit.endsWith("exit 0")).length;
  // A run over before every worker's turn to start leaves the rest out (its timeline says so).
  const started = r.perWorker.length < r.workers ? `${r.perWorker.length} of ${r.workers}` : String(r.workers);
  return [
    "",
    `Summary (${r.verdict === "pass" ? "PASS" : "FAIL"})`,
    `  Backend            ${r.backend} on ${r.platform}`,
    `  Parameters         ${r.params.covered.toLocaleString("en-US")} / ${r.params.total.toLocaleString("en-US")} covered${r.params.failed ? `, ${r.params.failed.toLocaleString("en-US")} failed` : ""}`,
    ...failedParamLines(r),
    `  Chunks             ${r.chunks.accepted}/${r.chunks.expected} accepted, ${r.chunks.duplicatesDiscarded} duplicates discarded, ${r.chunks.redelivered} redelivered, ${r.chunks.deadLettered} dead-lettered`,
    `  Aggregate          count ${r.aggregate.count.toLocaleString("en-US")}, sum ${r.aggregate.sum}, min ${r.aggregate.min}, max ${r.aggregate.max}`,
    `  Time               ${r.wallSeconds.toFixed(2)} s, ${r.paramsPerSecond.toLocaleString("en-US")} params/s`,
    `  Recovery           ${r.recovery.redeliveries.length ? `longest redelivery ${r.recovery.maxRedeliverySeconds.toFixed(2)} s` : "none needed"}`,
    `  Workers            ${started} started, ${completed} completed on their own, ${r.faults.length} fault(s) injected`,
    ...r.problems.map((p) => `  Problem            ${p}`),
  ];
}
