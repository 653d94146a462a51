// The exit codes of every TTG program, scripts and worker alike: one table.
export const EXIT_CODES = {
  /** Success; for the demo, the report's verdict is pass. */
  ok: 0,
  /** The run finished but lost, duplicated or dead-lettered something, or a command failed. */
  failed: 1,
  /** Bad input a user can fix: a flag, a variable, a missing tool, an unreachable broker. */
  badInput: 2,
  /** monitor.ts --watch: the run is gone from the broker (purged after it finished). */
  runGone: 3,
  /** monitor.ts --watch: nobody works on the run any more (abandoned). */
  runAbandoned: 4,
  /** demo.ts stopped by Ctrl-C or SIGTERM before its run settled: the run is kept for --resume. */
  interrupted: 130,
} as const;

/** The demo's exit code comes from the report's verdict and from nothing else. */
export function exitCodeForVerdict(verdict: "pass" | "fail"): number {
  return verdict === "pass" ? EXIT_CODES.ok : EXIT_CODES.failed;
}
