// A main-thread timer that logs what the worker is doing. It keeps ticking while the
// compute thread is busy: the proof that compute never starves housekeeping.
import type { Logger } from "../lib/log/logger.ts";

export type WorkerActivity = { state: string; chunk?: number | string; done?: number; of?: number };

export function startHeartbeat(log: Logger, everyMs: number, activity: () => WorkerActivity): () => void {
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => log.info("heartbeat", "alive", { ...activity() }), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
