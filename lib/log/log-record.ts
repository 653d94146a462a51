// One log event, timestamped when it happens (not when it is formatted).
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LIFECYCLE_EVENTS = [
  "STARTING",
  "INITIALIZED",
  "RUNNING",
  "PROGRESS",
  "COMPLETED",
  "FAILED",
  "SHUTTING_DOWN",
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export type LogRecord = {
  time: Date;
  level: LogLevel;
  worker: string;
  /** The node the worker runs on (host name locally, the pod's node on Kubernetes). */
  node?: string;
  component: string;
  message: string;
  event?: LifecycleEvent | "SUMMARY";
  fields?: Record<string, unknown>;
};
