// TTG's Redis keys and RabbitMQ queues with their sizes (the seed's list-resources), grouped by
// run; a broker that does not answer is a line, not a crash.
import { listNamespace, type PurgeTarget } from "../backends/purge-namespace.ts";
import { describeItem, type BrokerItem } from "../backends/purge-types.ts";
import { oneLine, section, unavailable, type InventoryItem, type InventorySection } from "./inventory-model.ts";

function runOf(item: BrokerItem, backend: "redis" | "rabbitmq", namespace: string): string {
  const m =
    backend === "redis"
      ? new RegExp(`^${namespace}:run:(.+):[a-z]+$`).exec(item.name)
      : new RegExp(`^${namespace}\\.(?:lock|run|done|settled)\\.(.+)$`).exec(item.name);
  return m?.[1] ? `run ${m[1]}` : "shared";
}

export async function brokerSection(t: PurgeTarget): Promise<InventorySection> {
  const title = t.backend === "redis" ? "Redis keys" : "RabbitMQ queues";
  try {
    const l = await listNamespace(t);
    const items: InventoryItem[] = l.items.map((i) => ({ name: i.name, detail: describeItem(i).slice(i.name.length).trim().replace(/^\(|\)$/g, ""), group: runOf(i, t.backend, t.namespace) }));
    items.sort((a, b) => (a.group === "shared" ? -1 : b.group === "shared" ? 1 : (a.group ?? "").localeCompare(b.group ?? "")) || a.name.localeCompare(b.name));
    const what = t.backend === "redis" ? "key(s)" : "queue(s)";
    return section(t.backend, title, `${t.backend} at ${l.where}, namespace ${l.namespace}: ${items.length} ${what} (found by ${l.method})`, items);
  } catch (error) {
    return unavailable(t.backend, title, `${t.backend}: ${oneLine(error)}`);
  }
}
