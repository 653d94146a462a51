// Marks each target (issues 7, 15 and 19) met or missed from the measured figures, with the reason when missed.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { isUnavailable, type BenchReport, type Maybe } from "./bench-model.ts";
import type { ScaleFigure } from "./scale.ts";
import type { EndToEnd } from "./overhead.ts";
import { sweepTargets } from "./sweep-targets.ts";
import { check, notMeasured, type TargetCheck } from "./targets.ts";

const BACKENDS: BackendName[] = ["redis", "rabbitmq"];
const RECOVERY_LIMIT: Record<BackendName, number> = { redis: 2, rabbitmq: 1 };
const f = (x: number, d = 2) => x.toFixed(d);
const NAME: Record<BackendName, string> = { redis: "Redis", rabbitmq: "RabbitMQ" };

export function evaluateTargets(r: Omit<BenchReport, "targets">): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const b of BACKENDS) {
    const id = `overhead-${b}`;
    const target = `${NAME[b]}: zero-work chunks/s >= 0.5x the raw broker limit`;
    const o = r.overhead[b];
    if (isUnavailable(o)) out.push(notMeasured(id, target, o.unavailable));
    else {
      const best = o.endToEnd.reduce((a, e) => (e.ratioToRawLimit > a.ratioToRawLimit ? e : a));
      const p = o.profile.perChunkMs;
      out.push(
        check(id, target, `${o.endToEnd.map((e) => `${e.workers}w ${f(e.ratioToRawLimit, 3)}x`).join(", ")} of ${Math.round(o.rawLimit.limitPerSecond)}/s`, best.ratioToRawLimit >= 0.5,
          `${r.mode === "quick" ? `--quick runs only ${o.chunks.toLocaleString("en-US")} chunks, a run of a fraction of a second in which batches are still growing and workers starting, so this ratio is indicative: the full bench judges it. ` : ""}${overheadReason(best, o.rawLimit.limitPerSecond, r.machine.cores, p.total)}`),
      );
    }
  }
  for (const b of BACKENDS) {
    const id = `efficiency-sleep-${b}`;
    const target = `${NAME[b]}: sleep-bound efficiency (ideal / wall, start-up counted) >= 0.95`;
    const e = r.efficiency.sleepBound[b];
    if (isUnavailable(e)) out.push(notMeasured(id, target, e.unavailable));
    else {
      const m = e.efficiency.median;
      out.push(check(id, target, `${f(m, 3)} (${f(e.efficiency.min, 3)}-${f(e.efficiency.max, 3)}); ${f(e.efficiencyWithoutStartup.median, 3)} without start-up`, m >= 0.95,
        `worker start-up takes ${f(e.startupSeconds.median)} s of a ${f(e.idealSeconds)} s ideal (without it: ${f(e.efficiencyWithoutStartup.median, 3)}); and ${Math.ceil(e.params / e.chunkSize)} chunks on ${e.workers} workers take ${Math.ceil(Math.ceil(e.params / e.chunkSize) / e.workers)} rounds, so even with no overhead the ceiling is ${f(e.granularityBound, 3)} without start-up and ${f(e.idealSeconds / (e.idealSeconds / e.granularityBound + e.startupSeconds.median), 3)} with it`));
    }
  }
  out.push(cpuBoundTarget(r));
  out.push(...fleetEfficiencyTargets(r));
  for (const b of BACKENDS) {
    const rec = r.recovery.byBackend[b];
    for (const platform of [false, true]) {
      const id = `recovery-sigkill-${b}-${platform ? "with-platform" : "backend-alone"}`;
      const target = `${NAME[b]}: SIGKILL -> chunk taken again within ${RECOVERY_LIMIT[b]} s (max over trials), ${platform ? "with the platform's immediate reclaim" : "backend alone"}`;
      if (isUnavailable(rec)) {
        out.push(notMeasured(id, target, rec.unavailable));
        continue;
      }
      const fig = rec.find((x) => x.signal === "SIGKILL" && x.platformReclaim === platform);
      if (!fig?.seconds) {
        out.push(notMeasured(id, target, fig?.notes.join("; ") || "no successful trial"));
        continue;
      }
      const met = fig.seconds.max <= RECOVERY_LIMIT[b] && fig.failures === 0;
      out.push(check(id, target, `median ${f(fig.seconds.median)} s, max ${f(fig.seconds.max)} s (${fig.seconds.n} trials)`, met,
        fig.failures ? `${fig.failures} trial(s) failed: ${fig.notes.join("; ")}` : platform ? "the reclaim waits for a survivor to ask for work" : "the chunk waits for its lease to go stale (STALE_THRESHOLD_MS) plus a reclaim check"));
    }
  }
  for (const b of BACKENDS) {
    const figures = r.scale.byBackend[b];
    const target = `${NAME[b]}: large sweep completes with coordinator peak RSS < 256 MiB`;
    if (isUnavailable(figures)) {
      out.push(notMeasured(`scale-${b}`, target, figures.unavailable));
      continue;
    }
    for (const s of figures) {
      const rss = s.coordinatorPeakRssMiB;
      const met = s.verdict === "pass" && rss !== null && rss < 256;
      const how = s.results === "params" ? "demo default --results params: per-parameter values published and written" : "--results chunks: chunk aggregates only";
      out.push(check(`scale-${b}-${s.results}`, `${target} (${how})`, `${s.params.toLocaleString("en-US")} params: ${s.verdict} in ${f(s.wallSeconds, 1)} s, coordinator peak ${rss ?? "?"} MiB`, met,
        s.verdict !== "pass" ? `the run's verdict was ${s.verdict}` : rss === null ? "peak RSS could not be read" : `peak RSS ${rss} MiB${s.results === "params" ? ": every parameter's value passes through the coordinator" : ""}`));
    }
  }
  const rm = r.resultsMemory;
  const rmTarget = "Results writer: coordinator peak RSS flat (<= 1.25x) from the smaller to the larger run (Redis, --results params)";
  if (rm === undefined || isUnavailable(rm)) out.push(notMeasured("results-memory", rmTarget, rm === undefined ? "not in this report" : rm.unavailable));
  else {
    const [small, large] = [rm[0], rm.at(-1)];
    const a = small?.coordinatorPeakRssMiB ?? null;
    const b = large?.coordinatorPeakRssMiB ?? null;
    const ratio = a && b ? b / a : null;
    const figure = `${small?.params.toLocaleString("en-US")} params: ${a ?? "?"} MiB; ${large?.params.toLocaleString("en-US")} params: ${b ?? "?"} MiB (${ratio === null ? "?" : `${f(ratio)}x`})`;
    const pass = rm.every((s) => s.verdict === "pass");
    out.push(check("results-memory", rmTarget, figure, pass && ratio !== null && ratio <= 1.25, !pass ? "a run did not pass" : writerGrowthReason(ratio, b, r.scale.byBackend.redis)));
  }
  out.push(...fleetTargets(r));
  out.push(...sweepTargets(r));
  return out;
}

const CPU_BOUND_TARGET = 0.97;
/** Above this the figure is a measurement error (noise allowed for). */
const CPU_BOUND_CEILING = 1.02;

/** Issue 19: CPU-bound efficiency with start-up counted, with where the rest of the time went. */
function cpuBoundTarget(r: Omit<BenchReport, "targets">): TargetCheck {
  const e = r.efficiency.cpuBound;
  const target = `Redis: CPU-bound efficiency (ideal = CPU / min(workers, cores), start-up counted) >= ${CPU_BOUND_TARGET}`;
  if (isUnavailable(e)) return notMeasured("efficiency-cpu", target, e.unavailable);
  const m = e.efficiency.median;
  const cores = e.workerCores && e.otherCores && e.coordinatorCores
    ? `they got ${f(e.workerCores.median)} on average while the bench (coordinator) used ${f(e.coordinatorCores.median)} and everything else (broker, other people's processes) ${f(e.otherCores.median)}${e.coresLeftBound ? `, which left the workers at most ${f(e.coresLeftBound.median, 3)} (${f(e.coresLeftBound.min, 3)}-${f(e.coresLeftBound.max, 3)}) of the ideal's cores, the ceiling before any start-up, tail or worker overhead` : ""}`
    : `other processes were running (load ${r.machine.loadAverage.start})`;
  const dropped = e.trials?.filter((t) => t.invalid !== null) ?? [];
  const counted = e.trials ? `; ${e.validTrials} of ${e.trials.length} trials counted` : "";
  const figure = `${f(m, 3)} (${f(e.efficiency.min, 3)}-${f(e.efficiency.max, 3)}); ${f(e.efficiencyWithoutStartup.median, 3)} without start-up${counted}`;
  const baselines = e.baselineCpuSeconds
    ? `the single-thread baseline, measured before and after every trial, took ${f(e.baselineCpuSeconds.median)} s CPU (${f(e.baselineCpuSeconds.min)}-${f(e.baselineCpuSeconds.max)})`
    : `the single-thread baseline took ${f(e.singleThread.cpuSeconds)} s CPU for ${e.singleThread.params} evaluations, measured once before the trials`;
  if (e.trials && e.validTrials === 0) {
    return check("efficiency-cpu", target, figure, false,
      `not a valid figure: the CPU an evaluation costs was not the same around and during any trial (${dropped.map((t) => t.invalid).join("; ")}), so no trial's wall time can be set against a baseline; ${baselines}`);
  }
  // Above 1 the ideal is wrong, not the run fast: the baselines cost more CPU per evaluation than the workers' runs.
  if (e.efficiency.max > CPU_BOUND_CEILING) {
    return check("efficiency-cpu", target, figure, false,
      `not a valid figure: efficiency above ${CPU_BOUND_CEILING} means the single-thread work cost more per evaluation than the workers' runs of the same evaluations, so the ideal is overstated; ${baselines}`);
  }
  const alone = e.staticSlices
    ? `; the same workers with no broker (static slices) got ${f(e.staticSlices.efficiency.median, 3)} (${f(e.staticSlices.efficiency.min, 3)}-${f(e.staticSlices.efficiency.max, 3)})${e.staticSlices.queueOverStatic ? `, the queue runs ${f(e.staticSlices.queueOverStatic.median, 3)} of that` : ""}`
    : "";
  const own = e.efficiencyAtTrialSpeed ? `; at the trials' own speed (from the workers' compute threads' CPU) ${f(e.efficiencyAtTrialSpeed.median, 3)} (${f(e.efficiencyAtTrialSpeed.min, 3)}-${f(e.efficiencyAtTrialSpeed.max, 3)})` : "";
  const left = dropped.length ? `; left out ${dropped.length} trial(s) in which the CPU an evaluation costs changed (${dropped.map((t) => t.invalid).join("; ")})` : "";
  return check("efficiency-cpu", target, figure, m >= CPU_BOUND_TARGET,
    `the ideal assumes ${Math.min(e.workers, e.cores)} whole cores for the workers; ${cores}; start-up ${f(e.startupSeconds.median)} s of a ${f(e.idealSeconds)} s ideal${e.tailSeconds ? `, the tail ${f(e.tailSeconds.median)} s` : ""}${e.betweenBatchesSeconds ? `, ${f(e.betweenBatchesSeconds.median)} s per worker between batches` : ""}; the chunking alone allows ${f(e.granularityBound, 3)}${alone}${own}; ${baselines}${left}`);
}

const FLEET_TARGET = 0.9;

/** Issue 19: many local workers, sleep-bound, once every one of them is up. */
function fleetEfficiencyTargets(r: Omit<BenchReport, "targets">): TargetCheck[] {
  return BACKENDS.map((b) => {
    const fleet = r.efficiency.fleet?.[b];
    const id = `efficiency-fleet-${b}`;
    const target = `${NAME[b]}: ${fleet && !isUnavailable(fleet) ? fleet.workers : 64} local workers, sleep-bound, start-up excluded: efficiency >= ${FLEET_TARGET}`;
    if (fleet === undefined) return notMeasured(id, target, "phase not run");
    if (isUnavailable(fleet)) return notMeasured(id, target, fleet.unavailable);
    const m = fleet.efficiencyAllUp.median;
    const cores = fleet.workerCores && fleet.coordinatorCores && fleet.otherCores ? `; cores used: workers ${f(fleet.workerCores.median)}, bench ${f(fleet.coordinatorCores.median)}, everything else ${f(fleet.otherCores.median)}` : "";
    return check(id, target, `${f(m, 3)} (${f(fleet.efficiencyAllUp.min, 3)}-${f(fleet.efficiencyAllUp.max, 3)}); ${f(fleet.efficiencyWithStartup.median, 3)} with start-up counted`, m >= FLEET_TARGET,
      `${f(fleet.workersSeen.median, 0)} of ${fleet.workers} workers took chunks${fleet.workersStarted ? ` (${f(fleet.workersStarted.median, 0)} started: none once every chunk had its result)` : ""}; the first was up ${f(fleet.firstUpSeconds.median)} s after the first spawn and all ${f(fleet.allUpSeconds.median)} s after it, by when ${f(fleet.workBeforeAllUp.median * 100, 0)} % of the work was done${cores}`);
  });
}

/**
 * Why the writer's peak grew: whether it goes on growing with the values written (values held) or
 * levels off (garbage the collector has not freed yet), from the large Redis run with values.
 */
function writerGrowthReason(ratio: number | null, largerRss: number | null, scale: Maybe<ScaleFigure[]>): string {
  const big = isUnavailable(scale) ? undefined : scale.find((s) => s.results === "params" && s.verdict === "pass");
  const grew = `peak RSS grew ${ratio === null ? "?" : f(ratio)}x for 10x the values`;
  if (!big?.coordinatorPeakRssMiB || !largerRss) return grew;
  const further = big.coordinatorPeakRssMiB / largerRss;
  return `${grew}; the ${big.params.toLocaleString("en-US")}-param run above peaked at ${big.coordinatorPeakRssMiB} MiB, ${f(further)}x the larger run here, so ${further <= 1.25 ? "the growth levels off: it is garbage awaiting collection (heap and socket buffers), not values held" : "memory still grows with the values written"}`;
}

/**
 * Why zero-work throughput stays below the raw loop: what a chunk costs in CPU, split between the
 * workers, the coordinator and the broker, when that is known; else the single worker's time.
 */
export function overheadReason(best: EndToEnd, limit: number, machineCores: number, oneWorkerMs: number): string {
  const c = best.cores;
  if (!c) return `a chunk costs ${f(oneWorkerMs * 1000, 0)} µs of one worker's time even in batches, and the workers, the coordinator and the broker share ${machineCores} cores`;
  const perSecond = best.chunksPerSecond.median;
  const us = (cores: number) => f((cores / perSecond) * 1e6, 1);
  const total = c.workers + c.coordinator + c.other;
  return `at ${best.workers} worker(s) the machine's ${machineCores} cores are the limit (${f(total)} busy): a chunk costs ${us(total)} µs of CPU in all, ${us(c.workers)} µs in the workers (read, decode, compute-thread trip, result encoding, accept), ${us(c.other)} µs in the broker and the rest of the machine (load, deliver, deduplicate, store, trim) and ${us(c.coordinator)} µs in the coordinator (read results back), while the raw loop only reads and acks, one message every ${f(1e6 / limit, 1)} µs (${Math.round(limit)}/s)`;
}

/** Issue 19: idle workers' cost to the broker and a local worker's start. */
function fleetTargets(r: Omit<BenchReport, "targets">): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const b of BACKENDS) {
    const idle = r.idleCost?.[b];
    const id = `idle-cost-${b}`;
    const target = `${NAME[b]}: broker commands per idle worker per second <= 1 at the largest size; ${1000} workers projected under 10 % of a broker core`;
    if (idle === undefined) out.push(notMeasured(id, target, "phase not run"));
    else if (isUnavailable(idle)) out.push(notMeasured(id, target, idle.unavailable));
    else {
      const last = idle.points.at(-1);
      const p = idle.projection;
      const met = last !== undefined && last.perWorkerCommandsPerSecond <= 1 && p.brokerCorePercent < 10;
      out.push(check(id, target, `${last?.perWorkerCommandsPerSecond ?? "?"}/s per worker at ${last?.workers ?? "?"} workers; ${p.workers} workers: ${p.commandsPerSecond}/s, ${p.brokerCorePercent} % of a core (windows: ${p.brokerCorePercentMin}-${p.brokerCorePercentMax} %)${p.method === "line" ? ` on the line through ${idle.points.map((x) => x.workers).join(", ")} workers` : ""}${p.fromLargest ? `; ${p.fromLargest.brokerCorePercent} % as ${last?.workers ?? "?"} workers' per-worker figure x ${p.workers}` : ""}`, met,
        `${r.mode === "quick" ? "--quick stops at a few workers, where the run's one reclaimer still weighs on each; " : ""}per worker ${last?.perWorkerCommandsPerSecond ?? "?"} commands/s and ${last ? f(last.perWorkerCores * 100, 3) : "?"} % of a core (${idle.source})`));
    }
  }
  const o = r.overhead.redis;
  const peer = isUnavailable(o) ? o : o.peer;
  const peerTarget = "Redis: TTG's zero-work throughput >= 5x BullMQ's best in the same run";
  if (peer === undefined) out.push(notMeasured("peer-bullmq", peerTarget, "no peer in this report"));
  else if (isUnavailable(peer)) out.push(notMeasured("peer-bullmq", peerTarget, peer.unavailable));
  else out.push(check("peer-bullmq", peerTarget, `${f(peer.ttgRatio)}x (BullMQ best ${Math.round(peer.bestPerSecond)} jobs/s)`, peer.ttgRatio >= 5, peer.settings));
  const s = r.startup;
  const id = "startup-first-chunk";
  const target = "Spawn to first chunk taken <= 0.35 s median for a local worker";
  if (s === undefined) out.push(notMeasured(id, target, "phase not run"));
  else if (isUnavailable(s)) out.push(notMeasured(id, target, s.unavailable));
  else {
    const m = s.firstChunkSeconds;
    out.push(check(id, target, `${f(m.median, 3)} s (${f(m.min, 3)}-${f(m.max, 3)}, ${m.n} trials)`, m.median <= 0.35,
      `loading the program takes ${f(s.loadedSeconds.median, 3)} s and the compute thread is ready at ${f(s.readySeconds.median, 3)} s; the rest is connecting and the first read`));
  }
  return out;
}
