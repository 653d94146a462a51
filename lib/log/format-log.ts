// Renders a LogRecord as the original's text line (`[time] [LEVEL] [WORKER-n] [component] message`) or as one JSON object.
import type { LogRecord } from "./log-record.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC. */
function formatTimestamp(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

function fieldText(fields: Record<string, unknown> | undefined): string {
  if (!fields) return "";
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === "string" && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`);
  return parts.length ? ` | ${parts.join(" ")}` : "";
}

export function formatText(r: LogRecord): string {
  const level = r.level === "WARNING" ? "WARN " : r.level.padEnd(5);
  const body = r.event ? `LIFECYCLE: ${r.event}${r.message ? ` - ${r.message}` : ""}` : r.message;
  return `[${formatTimestamp(r.time)}] [${level}] [WORKER-${r.worker}] [${r.component}] ${body}${fieldText(r.fields)}`;
}

export function formatJson(r: LogRecord): string {
  return JSON.stringify({
    ts: r.time.toISOString(),
    level: r.level,
    worker: r.worker,
    ...(r.node === undefined ? {} : { node: r.node }),
    component: r.component,
    ...(r.event ? { event: r.event } : {}),
    msg: r.message,
    ...r.fields,
  });
}
