// report.md: a pure rendering of report.json for a supervisor.
import type { RunReport } from "./report-model.ts";

const n = (x: number) => x.toLocaleString("en-US");
const num = (x: number | null) => (x === null ? "–" : n(Number(x.toFixed(4))));

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function renderReportMarkdown(r: RunReport, options: { pictures?: string[] } = {}): string {
  const verdict = r.verdict === "pass" ? "PASS" : "FAIL";
  const out: string[] = [];
  out.push(`# TTG run ${r.runId}: ${verdict}`, "");
  out.push(
    r.verdict === "pass"
      ? `Every one of the ${n(r.chunks.expected)} chunks has exactly one accepted result; ${n(r.params.covered)} of ${n(r.params.total)} parameters covered.`
      : `The run did not prove complete:\n\n${r.problems.map((p) => `- ${p}`).join("\n")}`,
    "",
  );
  out.push("## Configuration", "");
  out.push(
    table(
      ["setting", "value"],
      [
        ["platform", r.platform],
        ["backend", r.backend],
        ["workers", r.workers],
        ["scale", r.config.scale],
        ["parameters", n(r.config.params)],
        ["chunk size", n(r.config.chunkSize)],
        ["simulated work per parameter", `${r.config.workMs} ms`],
        ["compute module", r.config.computeModule ?? "built-in simulation"],
        ["fault demo", r.config.faultDemo ? "yes" : "no"],
        ["max deliveries", r.config.maxDeliveries ?? "–"],
      ],
    ),
    "",
  );
  out.push("## Results", "");
  out.push(
    table(
      ["measure", "value"],
      [
        ["chunks expected", n(r.chunks.expected)],
        ["chunks accepted", n(r.chunks.accepted)],
        ["duplicates discarded", n(r.chunks.duplicatesDiscarded)],
        ["chunks redelivered", n(r.chunks.redelivered)],
        ["chunks dead-lettered", n(r.chunks.deadLettered)],
        ["parameters covered", `${n(r.params.covered)} / ${n(r.params.total)}`],
        ["aggregate count", n(r.aggregate.count)],
        ["aggregate sum", num(r.aggregate.sum)],
        ["aggregate min / max", `${num(r.aggregate.min)} / ${num(r.aggregate.max)}`],
        ["wall time", `${r.wallSeconds.toFixed(2)} s`],
        ["throughput", `${n(r.paramsPerSecond)} params/s`],
        [
          "longest redelivery",
          r.recovery.redeliveries.length ? `${r.recovery.maxRedeliverySeconds.toFixed(2)} s` : "none needed",
        ],
      ],
    ),
    "",
  );
  for (const picture of options.pictures ?? []) out.push(`![${picture}](${picture})`, "");
  if (r.deadLetters.length) {
    out.push("## Dead letters", "");
    out.push(
      table(
        ["chunk", "parameters", "attempts", "last error"],
        r.deadLetters.map((d) => [d.chunkId, `${d.start}–${d.end - 1}`, d.attempts, d.error.replaceAll("|", "\\|")]),
      ),
      "",
    );
  }
  out.push("## Timeline", "");
  out.push(table(["time (UTC)", "event", "detail"], r.timeline.map((e) => [e.at.slice(11, 23), e.event, e.detail])), "");
  out.push("## Workers", "");
  out.push(
    table(
      ["worker", "chunks", "params", "busy (s)", "exit"],
      r.perWorker.map((w) => [w.worker, n(w.chunks), n(w.params), w.busySeconds.toFixed(2), w.exit]),
    ),
    "",
  );
  out.push(`_Started ${r.startedAt}, finished ${r.finishedAt}. Source of truth: report.json._`, "");
  return out.join("\n");
}
