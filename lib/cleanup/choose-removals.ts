// What cleanup removes from one broker namespace, run by run (docs/how-it-works.md §4 "Runs are isolated"): with a
// run id, that run's objects only; without, every finished or abandoned run and the old shared
// layout's objects. A run that is still active is left alone, named with why, unless forced.
import type { BrokerItem } from "../backends/purge-types.ts";
import type { RunListing } from "../backends/run-listing.ts";

export const LEGACY_LAYOUT = "old shared layout (from before runs were isolated)";

export type Removal = {
  /** The run, or undefined for the old shared layout's objects. */
  run?: RunListing;
  items: BrokerItem[];
};

export type RemovalPlan = {
  remove: Removal[];
  /** Active runs kept because --force was not given. */
  leftAlone: RunListing[];
  /** The run id asked for, when the namespace holds nothing of it. */
  notFound?: string;
};

export type RemovalChoice = { runId?: string; force: boolean };

export function chooseRemovals(found: { runs: readonly RunListing[]; legacy: readonly BrokerItem[] }, o: RemovalChoice): RemovalPlan {
  const runs = o.runId === undefined ? found.runs : found.runs.filter((r) => r.runId === o.runId);
  const keep = (r: RunListing) => r.state === "active" && !o.force;
  const remove: Removal[] = runs.filter((r) => !keep(r)).map((run) => ({ run, items: run.objects }));
  if (o.runId === undefined && found.legacy.length > 0) remove.push({ items: [...found.legacy] });
  return {
    remove,
    leftAlone: runs.filter(keep),
    ...(o.runId !== undefined && runs.length === 0 ? { notFound: o.runId } : {}),
  };
}

/** Every name the plan removes. */
export function removalNames(plan: RemovalPlan): string[] {
  return plan.remove.flatMap((r) => r.items.map((i) => i.name));
}

/** "run r1 (finished: every chunk has a result or a dead letter)", or the old shared layout. */
export function describeRemoval(r: Removal): string {
  if (!r.run) return LEGACY_LAYOUT;
  const forced = r.run.state === "active" ? "; removed anyway (--force)" : "";
  return `run ${r.run.runId} (${r.run.state}: ${r.run.why}${forced})`;
}

export function describeLeftAlone(r: RunListing): string {
  return `left alone: run ${r.runId} is active (${r.why}); --force removes it anyway`;
}
