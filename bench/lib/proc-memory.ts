// Peak resident memory of another process, read from /proc/<pid>/status (Linux).
import { readFileSync } from "node:fs";

/** VmHWM (peak RSS) and VmRSS in bytes from a /proc/<pid>/status text. */
export function parseProcStatus(text: string): { peakRss: number | null; rss: number | null } {
  const kb = (name: string) => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : null;
  };
  return { peakRss: kb("VmHWM"), rss: kb("VmRSS") };
}

/** Samples a process's peak RSS until stopped; the last reading before it exits is its peak. */
export function watchPeakRss(pid: number, everyMs = 100): { stop(): number | null } {
  let peak: number | null = null;
  const read = () => {
    try {
      const { peakRss, rss } = parseProcStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
      const v = peakRss ?? rss;
      if (v !== null && (peak === null || v > peak)) peak = v;
    } catch {
      // Gone, or not Linux.
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
