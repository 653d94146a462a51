import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../lib/log/logger.ts";
import { parseLogLine } from "../lib/log/parse-log-line.ts";

const at = new Date("2026-01-27T05:16:19.993Z");

test("text lines follow the original's format and parse back", () => {
  const lines: string[] = [];
  const log = createLogger({ worker: "0", level: "INFO", format: "text", write: (l) => lines.push(l), now: () => at });
  log.lifecycle("PROGRESS", "500/3333 (15.0%)", { done: 500, total: 3333, note: "two words" });
  log.debug("queue", "hidden at INFO");
  log.warn("queue", "lease lost");
  assert.equal(
    lines[0],
    '[2026-01-27 05:16:19.993] [INFO ] [WORKER-0] [worker] LIFECYCLE: PROGRESS - 500/3333 (15.0%) | done=500 total=3333 note="two words"',
  );
  assert.equal(lines[1], "[2026-01-27 05:16:19.993] [WARN ] [WORKER-0] [queue] lease lost");
  assert.equal(lines.length, 2);
  const parsed = parseLogLine(lines[0] ?? "");
  assert.deepEqual(parsed, {
    time: at,
    worker: "0",
    event: "PROGRESS",
    message: "500/3333 (15.0%)",
    fields: { done: 500, total: 3333, note: "two words" },
  });
});

test("json lines carry the same fields, and the summary is JSON in either format", () => {
  const lines: string[] = [];
  const log = createLogger({ worker: "w1", level: "DEBUG", format: "json", write: (l) => lines.push(l), now: () => at });
  log.lifecycle("COMPLETED", "Duration: 6.67s", { params: 3333 });
  log.summary({ params: 3333, status: "completed" });
  assert.deepEqual(JSON.parse(lines[0] ?? ""), {
    ts: "2026-01-27T05:16:19.993Z",
    level: "INFO",
    worker: "w1",
    component: "worker",
    event: "COMPLETED",
    msg: "Duration: 6.67s",
    params: 3333,
  });
  assert.equal(parseLogLine(lines[0] ?? "")?.event, "COMPLETED");
  const summary = parseLogLine(lines[1] ?? "");
  assert.equal(summary?.event, "SUMMARY");
  assert.equal(summary?.fields.params, 3333);
});
