// Reads back what the logger wrote (either format), so a coordinator can follow
// a worker through its output alone: local process stdout or `kubectl logs`.
import { LIFECYCLE_EVENTS, type LifecycleEvent } from "./log-record.ts";

export type ParsedLogLine = {
  /** When the worker logged it (undefined if the line carries no readable time). */
  time: Date | undefined;
  worker: string;
  event: LifecycleEvent | "SUMMARY" | undefined;
  message: string;
  fields: Record<string, unknown>;
};

const TEXT_LINE = /^\[([\d-]+ [\d:.]+)\] \[[A-Z ]+\] \[WORKER-([^\]]+)\] \[[^\]]+\] (.*)$/;

function readTime(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const d = new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
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
      const { worker, event, msg, ts, level: _level, component: _component, ...fields } = JSON.parse(trimmed);
      const known = event === "SUMMARY" || LIFECYCLE_EVENTS.includes(event) ? event : undefined;
      return { time: readTime(ts), worker: String(worker ?? ""), event: known, message: String(msg ?? ""), fields };
    } catch {
      return undefined;
    }
  }
  const m = TEXT_LINE.exec(trimmed);
  if (!m) return undefined;
  const [, stamp, worker = "", body = ""] = m;
  const time = readTime(stamp);
  const life = LIFECYCLE.exec(body);
  if (life && (LIFECYCLE_EVENTS as readonly string[]).includes(life[1] ?? "")) {
    return {
      time,
      worker,
      event: life[1] as LifecycleEvent,
      message: life[2] ?? "",
      fields: parseFieldText(life[3]),
    };
  }
  const bar = body.indexOf(" | ");
  return {
    time,
    worker,
    event: undefined,
    message: bar < 0 ? body : body.slice(0, bar),
    fields: bar < 0 ? {} : parseFieldText(body.slice(bar + 3)),
  };
}
