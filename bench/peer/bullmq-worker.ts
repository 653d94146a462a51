// One BullMQ worker process for the bench's peer figure: the same zero-work job TTG's overhead phase
// runs, at the given concurrency. Reports completions to the bench over IPC every 100 ms, and on
// "stop" sends every completion time and leaves. Settings come from the environment:
// BULLMQ_QUEUE, BULLMQ_PREFIX, REDIS_URL, CONCURRENCY.
import { loadBullmq } from "./load-bullmq.ts";

const { Worker } = await loadBullmq();
const url = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const done: number[] = [];
const worker = new Worker(process.env.BULLMQ_QUEUE ?? "", async () => null, {
  connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
  prefix: process.env.BULLMQ_PREFIX ?? "bull",
  concurrency: Number(process.env.CONCURRENCY ?? 1),
});
worker.on("completed", () => void done.push(Date.now()));
const report = setInterval(() => process.send?.({ done: done.length }), 100);
process.on("message", (m: unknown) => {
  if (m !== "stop") return;
  clearInterval(report);
  void worker.close().finally(() => process.send?.({ done: done.length, times: done }, () => process.exit(0)));
});
process.send?.({ ready: true });
