// Reads back what the logger wrote (either format), so a coordinator can follow
// a worker through its output alone: local process stdout or `kubectl logs`.
import { LIFECYCLE_EVENTS, type LifecycleEvent } from "./log-record.ts";

export type ParsedLogLine = {
  worker: string;
  event: LifecycleEvent | "SUMMARY" | undefined;
  message: string;
  fields: Record<string, unknown>;
};

const TEXT_LINE = /^\[[\d-]+ [\d:.]+\] \[[A-Z ]+\] \[WORKER-([^\]]+)\] \[[^\]]+\] (.*)$/;
const LIFECYCLE = /^LIFECYCLE: ([A-Z_]+)(?: - (.*?))?(?: \| (.*))?$/;

function parseFieldText(text: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!text) return fields;
  for (const [, key = "", raw = ""] of text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    try {
      fields[key] = JSON.parse(raw);
    } catch {
      fields[key] = raw;
    }
  }
  return fields;
}

export function parseLogLine(line: string): ParsedLogLine | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith("{")) {
    try {
      const { worker, event, msg, ts: _ts, level: _level, component: _component, ...fields } = JSON.parse(trimmed);
      const known = event === "SUMMARY" || LIFECYCLE_EVENTS.includes(event) ? event : undefined;
      return { worker: String(worker ?? ""), event: known, message: String(msg ?? ""), fields };
    } catch {
      return undefined;
    }
  }
  const m = TEXT_LINE.exec(trimmed);
  if (!m) return undefined;
  const [, worker = "", body = ""] = m;
  const life = LIFECYCLE.exec(body);
  if (life && (LIFECYCLE_EVENTS as readonly string[]).includes(life[1] ?? "")) {
    return {
      worker,
      event: life[1] as LifecycleEvent,
      message: life[2] ?? "",
      fields: parseFieldText(life[3]),
    };
  }
  const bar = body.indexOf(" | ");
  return {
    worker,
    event: undefined,
    message: bar < 0 ? body : body.slice(0, bar),
    fields: bar < 0 ? {} : parseFieldText(body.slice(bar + 3)),
  };
}
