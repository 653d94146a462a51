// The worker's logger: levels, lifecycle events, and the final machine-readable summary.
import { formatJson, formatText } from "./format-log.ts";
import { LOG_LEVELS, type LifecycleEvent, type LogLevel, type LogRecord } from "./log-record.ts";

export type LoggerOptions = {
  worker: string;
  /** The worker's node: in every JSON line and in the summary (text lines keep the seed's format). */
  node?: string;
  level: LogLevel;
  format: "text" | "json";
  write?: (line: string) => void;
  now?: () => Date;
};

export type Logger = {
  debug(component: string, message: string, fields?: Record<string, unknown>): void;
  info(component: string, message: string, fields?: Record<string, unknown>): void;
  warn(component: string, message: string, fields?: Record<string, unknown>): void;
  error(component: string, message: string, fields?: Record<string, unknown>): void;
  lifecycle(event: LifecycleEvent, message: string, fields?: Record<string, unknown>): void;
  /** One JSON line, whatever the format, so a machine can always find it. */
  summary(fields: Record<string, unknown>): void;
};

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const threshold = LOG_LEVELS.indexOf(options.level);
  const format = options.format === "json" ? formatJson : formatText;

  const node = options.node === undefined ? {} : { node: options.node };
  const emit = (record: Omit<LogRecord, "time" | "worker">) => {
    if (LOG_LEVELS.indexOf(record.level) < threshold) return;
    write(format({ ...record, time: now(), worker: options.worker, ...node }));
  };
  const at =
    (level: LogLevel) => (component: string, message: string, fields?: Record<string, unknown>) =>
      emit({ level, component, message, ...(fields ? { fields } : {}) });

  return {
    debug: at("DEBUG"),
    info: at("INFO"),
    warn: at("WARNING"),
    error: at("ERROR"),
    lifecycle(event, message, fields) {
      const level = event === "FAILED" ? "ERROR" : "INFO";
      emit({ level, component: "worker", message, event, ...(fields ? { fields } : {}) });
    },
    summary(fields) {
      write(JSON.stringify({ event: "SUMMARY", ts: now().toISOString(), worker: options.worker, ...node, ...fields }));
    },
  };
}
