// TTG's Redis keys and RabbitMQ queues with their sizes (the original's list-resources), run by run:
// each run with its state, age, progress and dead letters, then the old shared layout's objects
// (which cleanup removes); a broker that does not answer is a line, not a crash.
import { LEGACY_LAYOUT } from "./choose-removals.ts";
import { listRuns } from "../backends/list-runs.ts";
import type { PurgeTarget } from "../backends/purge-namespace.ts";
import { describeItem, type BrokerItem } from "../backends/purge-types.ts";
import { formatAge, type RunListing } from "../backends/run-listing.ts";
import { oneLine, section, unavailable, type InventoryItem, type InventoryRun, type InventorySection } from "./inventory-model.ts";

const LEGACY_NOTE = `${LEGACY_LAYOUT}: removed by cleanup`;

function ageOf(run: RunListing, now: Date): string | undefined {
  const at = run.createdAt === undefined ? NaN : Date.parse(run.createdAt);
  return Number.isNaN(at) ? undefined : formatAge(now.getTime() - at);
}

/** "run r1: finished (every chunk ...), 3 min old, 100/100 chunks done, 0 dead-lettered" */
function runHeading(r: InventoryRun): string {
  const n = (v: number | undefined) => (v === undefined ? "?" : String(v));
  return `run ${r.runId}: ${r.state} (${r.why}), ${r.age === undefined ? "age unknown" : `${r.age} old`}, ${n(r.chunksDone)}/${n(r.totalChunks)} chunks done, ${n(r.deadLettered)} dead-lettered`;
}

function itemsOf(objects: readonly BrokerItem[], group: string): InventoryItem[] {
  return objects.map((i) => ({ name: i.name, detail: describeItem(i).slice(i.name.length).trim().replace(/^\(|\)$/g, ""), group }));
}

export async function brokerSection(t: PurgeTarget, now = new Date()): Promise<InventorySection> {
  const title = t.backend === "redis" ? "Redis keys" : "RabbitMQ queues";
  try {
    const { listing, runs, legacy } = await listRuns(t);
    const listed: InventoryRun[] = runs.map((r) => {
      const age = ageOf(r, now);
      return { ...r, ...(age === undefined ? {} : { age }) };
    });
    const items = [...listed.flatMap((r) => itemsOf(r.objects, runHeading(r))), ...itemsOf(legacy, LEGACY_NOTE)];
    const what = t.backend === "redis" ? "key(s)" : "queue(s)";
    const summary = `${t.backend} at ${listing.where}, namespace ${listing.namespace}: ${listed.length} run(s), ${items.length} ${what} (found by ${listing.method})`;
    return { ...section(t.backend, title, summary, items), runs: listed, ...(legacy.length > 0 ? { legacy: { note: LEGACY_NOTE, objects: legacy } } : {}) };
  } catch (error) {
    return unavailable(t.backend, title, `${t.backend}: ${oneLine(error)}`);
  }
}
