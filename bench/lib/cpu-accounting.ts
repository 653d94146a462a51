// Where the machine's CPU went during a measurement: the worker processes' own CPU time
// (/proc/<pid>/stat) beside the whole machine's busy time (/proc/stat), so a low efficiency can be
// told apart from other processes taking the cores (Linux; elsewhere the figures are null).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Busy and total jiffies from the first ("cpu ") line of /proc/stat. */
export function parseProcStat(text: string): { busy: number; total: number } | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** utime + stime (jiffies) of a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parsePidStat(text: string): number | null {
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3, utime field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null;
}

/** CPU jiffies of each thread of a process (/proc/<pid>/task/<tid>/stat), empty once it has exited. */
export function threadJiffies(pid: number | "self"): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const t = parsePidStat(read(`/proc/${pid}/task/${tid}/stat`) ?? "");
    if (t !== null) out.set(Number(tid), t);
  }
  return out;
}

/**
 * CPU seconds of the thread that gained the most between two readings of threadJiffies: in a
 * process whose compute thread is busy, that thread (Node names every thread "node", so the
 * busiest one is how it is told apart from the main thread, GC helpers and libuv's pool).
 */
export function busiestThreadSeconds(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let most = 0;
  for (const [tid, t] of after) most = Math.max(most, t - (before.get(tid) ?? 0));
  return most / clockTicks();
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export type CpuShare = {
  /** Average cores busy machine-wide during the interval. */
  machineCores: number;
  /** Average cores used by the worker processes (their compute threads included). */
  workerCores: number;
  /** Average cores used by this process: the bench as coordinator (loading, reading results). */
  coordinatorCores: number;
  /** Average cores used by everything else: the broker and other people's work. */
  otherCores: number;
  /** CPU seconds of each worker's busiest thread (its compute thread when the work is CPU-bound), summed. */
  workerComputeThreadSeconds: number;
};

/** CPU a worker may spend outside the threads last read before they are all read again (a tenth of a second at 100 Hz). */
const UNREAD_THREAD_JIFFIES = 10;

function unread(processJiffies: number, threads: ReadonlyMap<number, number>): number {
  let accounted = 0;
  for (const jiffies of threads.values()) accounted += jiffies;
  return processJiffies - accounted;
}

/** Follows worker pids while they run (their CPU time is lost once they exit) and the whole machine. */
export class CpuAccounting {
  readonly #workers = new Map<number, number>();
  /** Per worker pid, CPU jiffies of each of its threads (counted from its spawn, so no "before" reading is needed). */
  readonly #threads = new Map<number, Map<number, number>>();
  /** Per worker pid, the thread that had the most CPU at the last full reading. */
  readonly #busiest = new Map<number, number>();
  /** Per worker pid, its CPU that no thread reading accounted for at the last full reading. */
  readonly #unreadAfterFull = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #start: { busy: number; total: number } | null = null;
  #startAt = 0;
  #self: NodeJS.CpuUsage | undefined;
  #sample: (() => void) | undefined;

  start(pids: () => number[], everyMs = 100): void {
    this.#start = parseProcStat(read("/proc/stat") ?? "");
    this.#startAt = performance.now();
    this.#self = process.cpuUsage();
    const sample = () => {
      for (const pid of pids()) {
        const t = parsePidStat(read(`/proc/${pid}/stat`) ?? "");
        if (t === null) continue; // gone: its last readings stand
        this.#workers.set(pid, Math.max(t, this.#workers.get(pid) ?? 0));
        this.#sampleThreads(pid, t);
      }
    };
    sample();
    this.#timer = setInterval(sample, everyMs);
    this.#sample = sample;
  }

  /**
   * Reads a worker's busiest thread every sample, and all its threads only when the process's CPU
   * runs ahead of its threads' readings by more than UNREAD_THREAD_JIFFIES (some other thread got
   * busy): reading every thread of two workers ten times a second cost the bench, which shares the
   * cores with them, three times the CPU of the pid-only sampling.
   */
  #sampleThreads(pid: number, processJiffies: number): void {
    const seen = this.#threads.get(pid) ?? new Map<number, number>();
    this.#threads.set(pid, seen);
    const known = this.#busiest.get(pid);
    if (known !== undefined) {
      const t = parsePidStat(read(`/proc/${pid}/task/${known}/stat`) ?? "");
      if (t !== null) seen.set(known, Math.max(t, seen.get(known) ?? 0));
      if (t !== null && unread(processJiffies, seen) - (this.#unreadAfterFull.get(pid) ?? 0) <= UNREAD_THREAD_JIFFIES) return;
    }
    // Kept per thread, highest reading: an exiting process loses its threads' entries one by one.
    for (const [tid, jiffies] of threadJiffies(pid)) seen.set(tid, Math.max(jiffies, seen.get(tid) ?? 0));
    // What no live thread accounts for (threads that ended) is not a reason to read them all again.
    this.#unreadAfterFull.set(pid, unread(processJiffies, seen));
    let most = -1;
    for (const [tid, jiffies] of seen) {
      if (jiffies > most) {
        most = jiffies;
        this.#busiest.set(pid, tid);
      }
    }
  }

  stop(): CpuShare | null {
    if (this.#timer) clearInterval(this.#timer);
    // A last reading: the worker that finished last may still be there, with its last chunk's CPU.
    this.#sample?.();
    this.#sample = undefined;
    const end = parseProcStat(read("/proc/stat") ?? "");
    const seconds = (performance.now() - this.#startAt) / 1000;
    if (!this.#start || !end || seconds <= 0) return null;
    const hz = clockTicks();
    const self = process.cpuUsage(this.#self);
    const machineCores = (end.busy - this.#start.busy) / hz / seconds;
    const workerCores = [...this.#workers.values()].reduce((a, b) => a + b, 0) / hz / seconds;
    const coordinatorCores = (self.user + self.system) / 1e6 / seconds;
    const none = new Map<number, number>();
    const workerComputeThreadSeconds = [...this.#threads.values()].reduce((sum, threads) => sum + busiestThreadSeconds(none, threads), 0);
    return { machineCores, workerCores, coordinatorCores, otherCores: Math.max(0, machineCores - workerCores - coordinatorCores), workerComputeThreadSeconds };
  }
}
