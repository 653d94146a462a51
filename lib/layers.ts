// The floors of lib/, lowest first. A module imports only from its own floor or the floors below
// it, never from a higher one, and nothing in lib/ imports from worker/, runbook/, bench/ or test/
// (which stand on top of all of lib/). test/layers.test.ts checks every import against this table;
// docs/how-it-works.md explains it. A subfolder is on its parent's floor (lib/backends/redis).
export const LAYERS: readonly (readonly string[])[] = [
  // Ground floor: configuration, logs, network and shell plumbing, script entry and flags.
  ["config", "log", "net", "shell", "script"],
  // Parts: evaluation, sweep definitions (id -> point), brokers, Kubernetes objects, the report, results files, metrics.
  ["compute", "backends", "k8s", "report", "results", "metrics", "sweep-def"],
  // Where and how: platforms, kind tooling, cleanup and inventory, the monitor and its web dashboard.
  ["kind", "platforms", "cleanup", "monitor", "dashboard"],
  // One run end to end.
  ["sweep"],
  // The demo and generated docs, for the runbook scripts.
  ["demo", "docs"],
];

/** The floor of a lib/ folder ("backends/redis" is on backends' floor); undefined when it has none. */
export function floorOf(folder: string): number | undefined {
  const top = folder.split("/")[0] ?? "";
  const i = LAYERS.findIndex((floor) => floor.includes(top));
  return i < 0 ? undefined : i;
}
