// A peer beside TTG's zero-work figure: the same zero-work job through BullMQ (the Node queue users
// would otherwise pick) on the same Redis, in the same bench run, with worker processes as TTG has,
// at concurrency 1 and 50 with completed jobs removed (its fastest settings). Throughput counts from
// the moment every worker has finished a job to the last job, as TTG's "all running" figure does.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { loadBullmq } from "../peer/load-bullmq.ts";
import { pause, waitUntil, type Say } from "./progress.ts";
import { roundSummary, summarize, type Summary } from "./stats.ts";

export type PeerPlan = { jobs: number; workers: number; concurrencies: number[]; trials: number };

export type PeerFigure = {
  peer: string;
  settings: string;
  byConcurrency: { concurrency: number; jobsPerSecond: Summary }[];
  /** The best median. */
  bestPerSecond: number;
};

const WORKER_SCRIPT = fileURLToPath(new URL("../peer/bullmq-worker.ts", import.meta.url));

type Child = { proc: ChildProcess; ready: boolean; done: number; times?: number[] };

function startChild(env: Record<string, string>): Child {
  const proc = fork(WORKER_SCRIPT, [], { execArgv: ["--import", "tsx"], env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const child: Child = { proc, ready: false, done: 0 };
  proc.on("message", (m: { ready?: boolean; done?: number; times?: number[] }) => {
    if (m.ready) child.ready = true;
    if (m.done !== undefined) child.done = m.done;
    if (m.times) child.times = m.times;
  });
  return child;
}

/** Jobs per second with all workers running, from their completion times. */
export function allRunningRate(timesByWorker: readonly (readonly number[])[]): number {
  const firsts = timesByWorker.filter((t) => t.length > 0).map((t) => Math.min(...t));
  const allUp = Math.max(...firsts);
  let last = 0;
  let after = 0;
  for (const times of timesByWorker) {
    for (const t of times) {
      last = Math.max(last, t);
      if (t > allUp) after++;
    }
  }
  return last > allUp ? after / ((last - allUp) / 1000) : Number.NaN;
}

async function oneTrial(url: string, plan: PeerPlan, concurrency: number): Promise<number> {
  const { Queue } = await loadBullmq();
  const u = new URL(url);
  const tag = randomBytes(4).toString("hex");
  const name = `peer-${tag}`;
  const prefix = `ttgbench-bullmq-${tag}`;
  const queue = new Queue(name, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix });
  const children: Child[] = [];
  try {
    for (let i = 0; i < plan.jobs; i += 1000) {
      const n = Math.min(1000, plan.jobs - i);
      await queue.addBulk(Array.from({ length: n }, (_, j) => ({ name: "zero", data: { param: i + j }, opts: { removeOnComplete: true, removeOnFail: true } })));
    }
    for (let w = 0; w < plan.workers; w++) children.push(startChild({ BULLMQ_QUEUE: name, BULLMQ_PREFIX: prefix, REDIS_URL: url, CONCURRENCY: String(concurrency) }));
    await waitUntil(() => children.reduce((n, c) => n + c.done, 0) >= plan.jobs, `${plan.jobs} BullMQ jobs done`, 300_000, 50);
    for (const c of children) c.proc.send("stop");
    await waitUntil(() => children.every((c) => c.times !== undefined), "BullMQ workers' completion times", 30_000, 20);
    return allRunningRate(children.map((c) => c.times ?? []));
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

export async function measureBullmqPeer(url: string, plan: PeerPlan, say: Say): Promise<PeerFigure> {
  const byConcurrency: PeerFigure["byConcurrency"] = [];
  for (const concurrency of plan.concurrencies) {
    const samples: number[] = [];
    for (let t = 0; t < plan.trials; t++) {
      const rate = await oneTrial(url, plan, concurrency);
      say(`bullmq peer, ${plan.workers} workers at concurrency ${concurrency}, trial ${t + 1}/${plan.trials}: ${Math.round(rate)} jobs/s`);
      samples.push(rate);
      await pause(100);
    }
    byConcurrency.push({ concurrency, jobsPerSecond: roundSummary(summarize(samples)) });
  }
  return {
    peer: "BullMQ",
    settings: `${plan.workers} worker processes, ${plan.jobs.toLocaleString("en-US")} zero-work jobs added beforehand (addBulk, 1,000 at a time), removeOnComplete, concurrency ${plan.concurrencies.join(" and ")}`,
    byConcurrency,
    bestPerSecond: Math.max(...byConcurrency.map((c) => c.jobsPerSecond.median)),
  };
}
