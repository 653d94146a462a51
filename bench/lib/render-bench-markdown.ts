// bench/results/<stamp>.md: a pure rendering of the results JSON for people.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { isUnavailable, type BenchReport, type Maybe } from "./bench-model.ts";
import { SPEED_TOLERANCE, type CpuBound } from "./efficiency.ts";
import type { Summary } from "./stats.ts";
import { END_WAIT_MS, type IdleWindows } from "./idle-cost.ts";

const BACKENDS: BackendName[] = ["redis", "rabbitmq"];
const NAMES: Record<BackendName, string> = { redis: "Redis", rabbitmq: "RabbitMQ" };

function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(digits)).toString();
}

/** "851 (812–902, n=3)": the median, then the spread. */
export function spread(s: Summary, digits = 3): string {
  if (s.n === 1) return `${num(s.median, digits)} (n=1)`;
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)}, n=${s.n})`;
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function missing<T>(x: Maybe<T>): string | undefined {
  return isUnavailable(x) ? `not measured: ${x.unavailable}` : undefined;
}

function cores(e: { workerCores: Summary | null; coordinatorCores: Summary | null; otherCores: Summary | null }): string {
  return e.workerCores && e.coordinatorCores && e.otherCores ? `${num(e.workerCores.median)} / ${num(e.coordinatorCores.median)} / ${num(e.otherCores.median)}` : "not measured";
}

function bar(fraction: number, width = 20): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `\`${"█".repeat(n)}${"░".repeat(width - n)}\``;
}

export function renderBenchMarkdown(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [
    `# TTG bench — ${r.startedAt.slice(0, 19).replace("T", " ")} UTC (${r.mode})`,
    "",
    `Produced by \`${r.command}\` in ${num(r.durationSeconds, 4)} s. Every figure is a median with its spread (min–max over n trials); the JSON file beside this one is the source of truth.`,
    "",
    "## Machine and conditions",
    "",
    ...table(["", ""], [
      ["CPU", `${m.cpuModel}, ${m.cores} cores`],
      ["Memory", `${m.memoryGiB} GiB`],
      ["OS", m.os],
      ["Node / Deno", `${m.node} / ${m.deno ?? "not found"}`],
      ...(m.nodeStart ? [["Node's start (CPU)", `${spread(m.nodeStart.processCpuMs)} ms to a bare script's first line, then ${spread(m.nodeStart.workerThreadCpuMs)} ms for a worker thread to start (${m.nodeStart.runs} processes, one after another)`]] : []),
      ["Redis / RabbitMQ", `${m.redis ?? "not reachable"} / ${m.rabbitmq ?? "not reachable"}`],
      ["Code measured", `commit ${r.code.commit ?? "unknown"}${r.code.modified.length ? ` with uncommitted changes in ${r.code.modified.join(", ")}` : ", no uncommitted changes under worker/ or lib/"}`],
      ["Load average (1 min)", `${m.loadAverage.start} at the start, ${m.loadAverage.end ?? "?"} at the end`],
    ]),
    "",
    ...r.conditions.map((c) => `- ${c}`),
    ...BACKENDS.filter((b) => !r.backends[b].available).map((b) => `- ${NAMES[b]} figures were not measured: ${r.backends[b].reason ?? "unavailable"}.`),
    "",
    "## Targets",
    "",
    ...table(["target", "figure", "met", "why, when not met"], r.targets.map((t) => [t.target, t.figure, t.met === null ? "not measured" : t.met ? "met" : "**missed**", t.reason ?? ""])),
    "",
  ];
  out.push("## Overhead: zero-work chunks per second", "");
  out.push("One-parameter chunks, nothing computed: each is loaded, delivered, accepted and acknowledged. Throughput runs from the moment every worker has taken its first batch to the last result, so all of them are running and none is still starting; the next column runs from the first worker spawned, start-up counted. Workers take such short chunks in batches (up to MAX_BATCH_CHUNKS, about 50 ms of work each): one read, one trip to the compute thread and one accept-and-ack per batch.", "");
  for (const b of BACKENDS) {
    const o = r.overhead[b];
    out.push(`### ${NAMES[b]}`, "");
    const why = missing(o);
    if (why || isUnavailable(o)) {
      out.push(why ?? "", "");
      continue;
    }
    out.push(`Raw limit (${o.rawLimit.method}): ${spread(o.rawLimit.oneConsumer)} msg/s with 1 consumer, ${spread(o.rawLimit.fourConsumers)} with 4; limit used: **${num(o.rawLimit.limitPerSecond)}/s**. One at a time (${o.rawLimit.perMessageMethod}): ${spread(o.rawLimit.perMessage)} msg/s.`, "");
    const used = (e: (typeof o.endToEnd)[number]) => (e.cores ? `${num(e.cores.workers)} / ${num(e.cores.coordinator)} / ${num(e.cores.other)}` : "not measured");
    out.push(...table(["workers", "chunks/s", "chunks/s, start-up counted", "ratio to raw limit", "cores used: workers / bench / everything else"], o.endToEnd.map((e) => [String(e.workers), spread(e.chunksPerSecond), spread(e.chunksPerSecondWithStartup), `${num(e.ratioToRawLimit)}x`, used(e)])), "");
    const p = o.profile.perChunkMs;
    out.push(`Where one worker's time per chunk goes (${o.chunks.toLocaleString("en-US")} chunks). A chunk long enough to be taken alone pays ${num(o.profile.singleChunkMs)} ms of fixed cost (broker round trips one at a time + one compute hop): that is what chunk sizing weighs.`, "");
    out.push(...table(["part", "ms per chunk", "how it was measured"], [
      ["total (1 worker process)", num(p.total), "end to end above"],
      ["broker path", num(p.broker), `the real WorkerQueue next() + complete() in one process, batches of ${o.profile.loopBatch}: ${spread(o.profile.backendLoop)} chunks/s (one at a time: ${spread(o.profile.backendLoopSingle)})`],
      ["per-chunk log lines", num(p.logLines), `1 worker with LOG_LEVEL=WARNING: ${spread(o.profile.quietLogsOneWorker)} chunks/s`],
      ["compute-thread hop", num(p.computeHop), `postMessage there and back: ${spread(o.profile.computeHopMicros)} µs per trip, shared by a batch`],
      ["everything else", num(p.rest), p.rest < 0 ? "the remainder, below zero: the worker fetches the next batch while it publishes this one, so parts measured one after another add up to more than the whole" : "lease timer, result object, event loop (the remainder)"],
    ]), "");
    const pubs = o.profile.confirmedPublishes;
    if (pubs) {
      out.push("What a RabbitMQ worker's round costs on this broker (consume at prefetch 1, publish with confirms, then ack; 600 messages):", "");
      out.push(...table(["round", "msg/s", "ms each"], pubs.map((x) => [x.label, spread(x.perSecond), num(1000 / x.perSecond.median)])), "");
    }
  }
  out.push("## Efficiency: ideal time over wall time", "", r.efficiency.startupCounting, "");
  const effRows: string[][] = [];
  for (const b of BACKENDS) {
    const e = r.efficiency.sleepBound[b];
    if (isUnavailable(e)) effRows.push([`sleep-bound, ${NAMES[b]}`, "", "", "", missing(e) ?? "", "", "", ""]);
    else effRows.push([`sleep-bound, ${NAMES[b]}`, `${e.params.toLocaleString("en-US")} params, chunk ${e.chunkSize}, ${e.workers} workers`, `${num(e.idealSeconds)} s`, spread(e.wallSeconds), spread(e.efficiency), spread(e.efficiencyWithoutStartup), num(e.granularityBound), cores(e)]);
  }
  const c = r.efficiency.cpuBound;
  if (isUnavailable(c)) effRows.push(["CPU-bound, Redis", "", "", "", missing(c) ?? "", "", "", ""]);
  else effRows.push(["CPU-bound, Redis", `${c.params.toLocaleString("en-US")} params, chunk ${c.chunkSize}, ${c.workers} workers`, `${num(c.idealSeconds)} s`, spread(c.wallSeconds), spread(c.efficiency), spread(c.efficiencyWithoutStartup), num(c.granularityBound), cores(c)]);
  out.push("The ceiling from chunking is the best efficiency equal chunks allow with no overhead at all: workers take chunks in rounds, so c chunks on w workers last ceil(c / w) chunk-times.", "");
  out.push("Cores used are averages over the run, from /proc: the worker processes, this bench process (the coordinator: loading, reading results), and everything else on the machine (the broker and other people's work).", "");
  out.push(...table(["sweep", "shape", "ideal", "wall (s)", "efficiency", "without start-up", "ceiling from chunking", "cores used: workers / bench / everything else"], effRows), "");
  if (!isUnavailable(c)) out.push(...renderCpuBound(c));
  out.push(...renderFleetEfficiency(r));
  out.push("## Recovery: signal to the chunk taken by another worker", "", r.recovery.settings, "");
  const recRows: string[][] = [];
  for (const b of BACKENDS) {
    const rec = r.recovery.byBackend[b];
    if (isUnavailable(rec)) {
      recRows.push([NAMES[b], "", "", missing(rec) ?? "", "", ""]);
      continue;
    }
    for (const x of rec) {
      recRows.push([NAMES[b], x.signal, x.platformReclaim ? "with platform reclaim" : "backend alone", x.seconds ? spread(x.seconds) : "no successful trial", x.seconds ? num(x.seconds.max) : "", `${x.trials - x.failures}/${x.trials}${x.notes.length ? ` (${x.notes.join("; ")})` : ""}`]);
    }
    if (rec.some((x) => x.signal === "SIGSTOP")) recRows.push([NAMES[b], "SIGSTOP", "with platform reclaim", "not applicable: a frozen process does not exit, so the platform sees nothing", "", ""]);
    else recRows.push([NAMES[b], "SIGSTOP", "", "not measured in --quick", "", ""]);
  }
  out.push(...table(["backend", "signal", "condition", "seconds", "max", "trials ok"], recRows), "");
  out.push("## Chunk size", "");
  const cs = r.chunkSize;
  if (isUnavailable(cs)) out.push(missing(cs) ?? "", "");
  else {
    out.push(`${cs.workload}: ${cs.params.toLocaleString("en-US")} params on ${cs.workers} workers (${NAMES[cs.backend]}); ${num(cs.evalCostMs * 1000)} µs per evaluation (calibrated with the real compute thread), ${num(cs.perChunkOverheadMs)} ms fixed cost per chunk (from the overhead figures).`, "");
    out.push(...table(["chunk size", "chunks", "params/s", "vs best", ""], cs.points.map((p) => [`${p.chunkSize.toLocaleString("en-US")}${p.adaptive ? " (chooseChunkSize)" : ""}`, p.chunks.toLocaleString("en-US"), spread(p.paramsPerSecond), num(p.relativeToBest), bar(p.relativeToBest)])), "");
    out.push(`Overhead stops mattering (within 5% of the best) at ${cs.overheadStopsMatteringAt === null ? "none of the swept sizes" : `chunk ${cs.overheadStopsMatteringAt.toLocaleString("en-US")}`}; the best was chunk ${cs.best.toLocaleString("en-US")}. chooseChunkSize (target ${cs.choice.targetChunkSeconds} s per chunk) picked ${cs.choice.chunkSize.toLocaleString("en-US")}, limited by ${cs.choice.limitedBy}: about ${num(cs.choice.chunkSeconds)} s per chunk with ${num(cs.choice.overheadShare * 100)}% of it fixed cost.`, "");
  }
  out.push("## Scale", "");
  out.push(`Coordinator: runbook/demo.ts as its own process (peak RSS from /proc/<pid>/status VmHWM); broker: a private server, memory read at the end with the run's data kept (--skip-cleanup). \`--results params\` is the demo's default (workers publish every parameter's value; the coordinator writes them to results.jsonl); \`--results chunks\` keeps chunk aggregates only.`, "", `${r.scale.chunkSizeReason}.`, "");
  const scRows: string[][] = [];
  for (const b of BACKENDS) {
    const figures = r.scale.byBackend[b];
    if (isUnavailable(figures)) {
      scRows.push([NAMES[b], "", "", "", "", "", missing(figures) ?? ""]);
      continue;
    }
    for (const s of figures) {
      const mem = s.broker.usedBytes === null ? `not available (${s.broker.source})` : `${num(s.broker.usedBytes / 2 ** 20)} MiB${s.broker.peakBytes ? `, peak ${num(s.broker.peakBytes / 2 ** 20)} MiB` : ""} (${s.broker.source})`;
      scRows.push([NAMES[b], s.results, `${s.params.toLocaleString("en-US")} / chunk ${s.chunkSize.toLocaleString("en-US")} / ${s.workers} workers`, `${s.verdict}, ${s.chunksAccepted} chunks, ${s.paramsCovered.toLocaleString("en-US")} params`, `${num(s.wallSeconds)} s (${num(s.paramsPerSecond)} params/s)`, s.coordinatorPeakRssMiB === null ? "?" : `${s.coordinatorPeakRssMiB} MiB`, mem]);
    }
  }
  out.push(...table(["backend", "--results", "params / chunk / workers", "result", "wall", "coordinator peak RSS", "broker memory at the end"], scRows), "");
  const rm = r.resultsMemory;
  if (rm !== undefined) {
    out.push("## Results writer memory", "");
    out.push("The demo as its own process writing every parameter's value to results.jsonl (Redis, `--results params`), at two sizes: values arrive a bounded batch at a time and go through a spool on disk, so the peak should not grow with the run.", "");
    if (isUnavailable(rm)) out.push(missing(rm) ?? "", "");
    else out.push(...table(["params", "result", "wall", "coordinator peak RSS"], rm.map((s) => [s.params.toLocaleString("en-US"), `${s.verdict}, ${s.paramsCovered.toLocaleString("en-US")} params`, `${num(s.wallSeconds)} s`, s.coordinatorPeakRssMiB === null ? "?" : `${s.coordinatorPeakRssMiB} MiB`])), "");
  }
  out.push(...renderFleet(r), ...renderSweeps(r));
  return `${out.join("\n")}\n`;
}

/** The CPU-bound sweep: how its ideal is measured, each trial beside its baselines, and where the time went. */
function renderCpuBound(c: CpuBound): string[] {
  const parallel = Math.min(c.workers, c.cores);
  const lost = `Where the wall time beyond the ideal went: worker start-up ${spread(c.startupSeconds)} s (spawn to first chunk)${c.tailSeconds ? `, the tail ${spread(c.tailSeconds)} s (first worker done to last result)` : ""}${c.betweenBatchesSeconds ? `, ${spread(c.betweenBatchesSeconds)} s per worker between its batches (results finished to the next batch taken)` : ""}, the rest in overhead and cores taken by other processes.${c.coresLeftBound ? ` The bench and everything else (the broker, the machine's other services) took cores enough meanwhile to leave the workers at most ${spread(c.coresLeftBound)} of the ideal's ${parallel} cores: no run could pass that, with no start-up, tail or overhead at all.` : ""}`;
  const r = c.resizedFrom;
  const resized = r ? ` Sized to about ${num(r.plannedCpuSeconds)} s of single-thread CPU: the calibration's ${r.params.toLocaleString("en-US")} params took ${num(r.cpuSeconds)} s, so the sweep was resized to ${c.params.toLocaleString("en-US")} from that run.` : "";
  const head = `CPU-bound: examples/rosenbrock-descent.ts, ${num(c.evalCostMs * 1000)} µs per evaluation. ${c.chunkChoice}.${resized}`;
  if (!c.baselines || !c.trials || !c.baselineCpuSeconds) {
    return [`${head} The whole sweep took ${num(c.singleThread.cpuSeconds)} s of CPU on one thread (${num(c.singleThread.wallSeconds)} s wall), so the ideal on ${c.workers} workers and ${c.cores} cores is that / ${parallel}. ${lost}`, ""];
  }
  const pct = (x: number | null) => (x === null ? "not measured" : `${x >= 0 ? "+" : ""}${num(x * 100, 2)}%`);
  return [
    `${head} The ideal is the CPU of the whole sweep run on one compute thread in the bench process, / ${parallel} (min(workers ${c.workers}, cores ${c.cores})). A thread's CPU time on this shared VM is no steady measure of work across minutes (host load, clock), so that single-thread baseline is run before the first trial and after every trial, and each trial's ideal is the mean of the two around it. It took ${spread(c.baselineCpuSeconds)} s CPU over the ${c.baselines.length} runs. A trial is left out of the figure (but listed) when the two baselines around it differ by more than ${num(SPEED_TOLERANCE * 100)}%, or when the workers' compute threads (each worker's busiest thread, from /proc) spent more than ${num(SPEED_TOLERANCE * 100)}% more or less CPU than the baselines' compute thread for the same evaluations: the cost of an evaluation changed (the machine, or the JIT: on 2026-11-27, before the compute thread's hot loop was cut down to the user's function alone, the same single-thread sweep took 10.8 s or 19.5 s of CPU from one run to the next on a quiet machine), and the figure would flatter or blame TTG. ${c.validTrials} of ${c.trials.length} trials counted${c.trialRule && c.trialRule.max > c.trialRule.wanted ? ` (trials go on until ${c.trialRule.wanted} count, ${c.trialRule.max} at most)` : ""}.${c.threadsAtOnce ? ` The same sweep on ${c.threadsAtOnce.threads} compute threads at once in the bench process took ${num(c.threadsAtOnce.cpuSeconds)} s CPU (${pct(c.threadsAtOnce.cpuOverSingle)} beside the first baseline, ${num(c.threadsAtOnce.wallSeconds)} s wall): what running side by side costs each evaluation on this machine, which the ideal does not allow for.` : ""} ${lost}`,
    "",
    ...table(["trial", "run", "ideal (s)", "wall (s)", "efficiency", "without start-up", "baseline after vs before", "workers' compute threads vs baseline", "at the trial's own speed", "counted"],
      c.trials.flatMap((t, i) => [t, c.staticSlices?.trials[i]].flatMap((run, k) => (run ? [[String(i + 1), k === 0 ? "queue" : "static slices", num(run.idealSeconds), num(run.wallSeconds), num(run.efficiency), num(run.efficiencyWithoutStartup), pct(run.baselineChange), pct(run.workDrift), typeof run.atTrialSpeed === "number" ? num(run.atTrialSpeed) : "", run.invalid === null ? "yes" : `no: ${run.invalid}`]] : [])))),
    "",
    ...(c.efficiencyAtTrialSpeed
      ? [`At the trial's own speed (the ideal times what the workers' compute threads spent on the evaluations over what the baselines' thread spent, so a trial run while the machine was a few per cent faster or slower than its baselines is neither flattered nor blamed, though an evaluation the worker itself made dearer is forgiven): ${spread(c.efficiencyAtTrialSpeed)} over the counted trials. A diagnostic; the target reads the efficiency column.`, ""]
      : []),
    ...renderStaticSlices(c),
  ];
}

/** The static runs beside the queue runs: the ceiling of the worker program on this machine, and the queue's share of the loss. */
function renderStaticSlices(c: CpuBound): string[] {
  const s = c.staticSlices;
  if (!s) return [];
  const ratio = s.queueOverStatic ? ` The queue runs got ${spread(s.queueOverStatic)} of the static runs' efficiency, trial by trial: that is the queue's own cost (broker, coordinator, chunks taken in turn).` : "";
  return [
    `Static slices: after or before each trial, between the same two baselines, the same ${c.workers} worker processes ran the sweep with no broker, each its half (static mode, batches of the chunk size). Efficiency ${spread(s.efficiency)} (${s.validTrials} of ${s.trials.length} counted${s.efficiencyAtTrialSpeed ? `; at their own speed ${spread(s.efficiencyAtTrialSpeed)}` : ""}), start-up ${spread(s.startupSeconds)} s, the slices finishing ${spread(s.tailSeconds)} s apart: what the machine and the worker program allow before any queue.${ratio}`,
    "",
  ];
}

/** Many local workers, sleep-bound: start-up excluded and counted. */
function renderFleetEfficiency(r: BenchReport): string[] {
  const fleet = r.efficiency.fleet;
  if (fleet === undefined) return [];
  const rows: string[][] = [];
  let definition = "";
  for (const b of BACKENDS) {
    const e = fleet[b];
    if (isUnavailable(e)) {
      rows.push([NAMES[b], "", "", missing(e) ?? "", "", "", "", "", ""]);
      continue;
    }
    definition = e.definition;
    rows.push([NAMES[b], `${e.params.toLocaleString("en-US")} params of ${num(e.workMs)} ms, chunk ${e.chunkSize}, ${e.workers} workers${startedAtOnce(e.startConcurrency)}${e.workersStarted && e.workersStarted.median < e.workers ? ` (${num(e.workersStarted.median)} started before every chunk had its result)` : ""}`, `${num(e.idealSeconds)} s`, spread(e.efficiencyAllUp), spread(e.efficiencyWithStartup), `${spread(e.firstUpSeconds)} / ${spread(e.allUpSeconds)}`, spread(e.workBeforeAllUp), e.leftSeconds ? spread(e.leftSeconds) : "–", cores(e)]);
  }
  return [
    "### Many local workers, sleep-bound", "",
    ...(definition ? [`Efficiency ${definition}`, ""] : []),
    ...table(["backend", "shape", "ideal", "efficiency, start-up excluded", "start-up counted", "first / all workers up (s)", "work done before all were up", "every worker gone, after the last result (s)", "cores used: workers / bench / everything else"], rows), "",
  ];
}

function startedAtOnce(limit: number | null | undefined): string {
  return limit === undefined || limit === null ? ", all spawned at once" : `, ${limit} starting at a time`;
}

/** Issue 19's sections: idle workers' cost to the broker, a local worker's start. */
function renderFleet(r: BenchReport): string[] {
  const out: string[] = [];
  const o = r.overhead.redis;
  const peer = isUnavailable(o) ? undefined : o.peer;
  if (peer !== undefined) {
    out.push("## A peer: BullMQ on the same Redis", "");
    if (isUnavailable(peer)) out.push(missing(peer) ?? "", "");
    else {
      out.push(`The same zero-work job through ${peer.peer}: ${peer.settings}. TTG's best end-to-end rate above is ${num(peer.ttgRatio)}x its best.`, "");
      out.push(...table(["concurrency", "jobs/s (median, min-max)"], peer.byConcurrency.map((c) => [String(c.concurrency), `${num(c.jobsPerSecond.median)} (${num(c.jobsPerSecond.min)}-${num(c.jobsPerSecond.max)})`])), "");
    }
  }
  if (r.idleCost !== undefined) {
    out.push("## Idle workers: broker cost", "");
    out.push("A private broker, a run whose every chunk the bench holds (the workers stay and find nothing to take), then more and more workers; at each size the medians of a few windows' commands/s, broker CPU (lowest-highest window in brackets) and broker wake-ups (voluntary context switches, which the machine's load does not inflate), minus the same with no worker, per worker. The 1,000-worker figure is a least-squares line through the sizes' medians: what the run costs once it has any worker (its one reclaimer) plus what each more worker adds; beside it, the largest size's per-worker figure times 1,000, which counts the run's one reclaimer once per worker.", "");
    const rows: string[][] = [];
    const cpu = (w: IdleWindows) => `${num(w.brokerCores * 100)} % (${num(w.brokerCoresMin * 100)}-${num(w.brokerCoresMax * 100)})`;
    for (const b of ["redis", "rabbitmq"] as const) {
      const idle = r.idleCost[b];
      if (isUnavailable(idle)) {
        rows.push([NAMES[b], "-", missing(idle) ?? "", "", "", "", "", ""]);
        continue;
      }
      rows.push([NAMES[b], "0", num(idle.baseline.commandsPerSecond), "-", cpu(idle.baseline), "-", num(idle.baseline.wakeupsPerSecond), "-"]);
      for (const p of idle.points) {
        rows.push([NAMES[b], String(p.workers), num(p.commandsPerSecond), num(p.perWorkerCommandsPerSecond), cpu(p), `${num(p.perWorkerCores * 100)} %`, num(p.wakeupsPerSecond), num(p.perWorkerWakeupsPerSecond)]);
      }
      const p = idle.projection;
      const how = p.method === "line" ? "projected, line" : "projected";
      rows.push([NAMES[b], `${p.workers} (${how})`, num(p.commandsPerSecond), "", `${num(p.brokerCorePercent)} % (${num(p.brokerCorePercentMin)}-${num(p.brokerCorePercentMax)})`, "", num(p.wakeupsPerSecond), ""]);
      if (p.fromLargest) rows.push([NAMES[b], `${p.workers} (projected, ${idle.points.at(-1)?.workers ?? "?"} workers' per-worker figure)`, num(p.fromLargest.commandsPerSecond), "", `${num(p.fromLargest.brokerCorePercent)} %`, "", "", ""]);
    }
    out.push(...table(["backend", "workers", "commands/s", "per worker", "broker CPU (of one core)", "per worker", "broker wake-ups/s", "per worker"], rows), "");
    for (const b of ["redis", "rabbitmq"] as const) {
      const idle = r.idleCost[b];
      if (isUnavailable(idle)) continue;
      const line = idle.projection.line;
      const fit = line ? ` The line: ${num(line.fixedCommandsPerSecond)} commands/s and ${num(line.fixedCorePercent)} % of a core for the run, plus ${num(line.perWorkerCommandsPerSecond)} commands/s and ${num(line.perWorkerCorePercent)} % per worker.` : "";
      out.push(`${NAMES[b]}: ${idle.source}; ${idle.broker}; medians of ${idle.baseline.windows} windows of ${idle.windowSeconds} s.${fit}`, "");
    }
    const ends = BACKENDS.flatMap((b) => {
      const idle = r.idleCost?.[b];
      return idle === undefined || isUnavailable(idle) || idle.end === undefined ? [] : [[NAMES[b], String(idle.end.workers), `${num(idle.end.completedMedianSeconds)} s`, `${num(idle.end.completedLastSeconds)} s`, `${num(idle.end.lastSeconds)} s`, String(idle.end.stillThere)]];
    });
    if (ends.length > 0) {
      out.push("Then the bench finished the chunks it held and proved the run settled: how soon the largest idle fleet heard of it and left. COMPLETED is each worker's own log time (it heard, and closed its connection); the last exit is as the bench saw it. All of them share the machine's cores with each other's shutdown.", "");
      out.push(...table(["backend", "idle workers", "COMPLETED after the run settled, median", "the last", "the last process gone", `still there after ${END_WAIT_MS / 1000} s`], ends), "");
    }
  }
  const s = r.startup;
  if (s !== undefined) {
    out.push("## Worker start-up", "");
    if (isUnavailable(s)) out.push(missing(s) ?? "", "");
    else {
      const cell = (x: { median: number; min: number; max: number }) => `${num(x.median)} s (${num(x.min)}-${num(x.max)})`;
      out.push(`One local worker per trial on Redis, ${s.trials} trials, run as ${s.command}: median (min-max).`, "");
      out.push(...table(["program loaded", "compute thread ready", "first chunk taken"], [[cell(s.loadedSeconds), cell(s.readySeconds), cell(s.firstChunkSeconds)]]), "");
    }
  }
  return out;
}

/** Issue 15's sections: a sweep file of millions of points, --compute-cmd beside the module path. */
function renderSweeps(r: BenchReport): string[] {
  const out: string[] = [];
  if (r.sweepScale !== undefined) {
    out.push("## Sweep scale: a grid sweep file with --results none", "");
    out.push("runbook/demo.ts as its own process with `--sweep FILE` (a grid of linspace axes), `--results none`, zero work, against a private broker: workers compute each id's point, the coordinator never materialises the grid. Peak RSS from /proc/<pid>/status VmHWM.", "");
    const rows = (["redis", "rabbitmq"] as const).map((b) => {
      const s = r.sweepScale?.[b];
      if (s === undefined || isUnavailable(s)) return [NAMES[b], "", "", s === undefined ? "not run" : (missing(s) ?? ""), "", ""];
      return [NAMES[b], `${s.axes.join(" x ")} = ${s.points.toLocaleString("en-US")}`, `chunk ${s.chunkSize.toLocaleString("en-US")} / ${s.workers} workers`, `${s.verdict}, ${s.chunksAccepted.toLocaleString("en-US")} chunks, ${s.paramsCovered.toLocaleString("en-US")} params`, `${num(s.wallSeconds)} s (${num(s.paramsPerSecond)} params/s)`, s.coordinatorPeakRssMiB === null ? "?" : `${s.coordinatorPeakRssMiB} MiB`];
    });
    out.push(...table(["backend", "grid", "chunk / workers", "result", "wall", "coordinator peak RSS"], rows), "");
  }
  const c = r.computeCmd;
  if (c !== undefined) {
    out.push("## --compute-cmd beside the module path", "");
    if (isUnavailable(c)) out.push(missing(c) ?? "", "");
    else {
      out.push(`Zero work on ${NAMES[c.backend]} with ${c.workers} workers, ${c.trials} trial(s) per path, the two paths alternated: the module path is ${c.module}; the command path is ${c.command}. Throughput runs from the moment every worker has finished its first batch (the program starts meanwhile) to the last result.`, "");
      out.push(...table(["chunk size", "chunks", "module: chunks/s", "module: params/s", "command: chunks/s", "command: params/s", "ratio (command / module)"], c.points.map((p) => [String(p.chunkSize), p.chunks.toLocaleString("en-US"), spread(p.module.chunksPerSecond), spread(p.module.paramsPerSecond), spread(p.command.chunksPerSecond), spread(p.command.paramsPerSecond), `${num(p.ratio)}x`])), "");
    }
  }
  return out;
}
