// What a namespace purge or the inventory reports about one broker.
export type BrokerItem = {
  /** Redis key or RabbitMQ queue name. */
  name: string;
  /** Redis type (stream, hash, ...) or "queue". */
  type: string;
  size?: number;
  /** What size counts: entries, fields, messages... */
  unit?: string;
  /** Why the size is unknown, when it is (an exclusive queue held by a loader). */
  note?: string;
};

export type BrokerListing = {
  backend: "redis" | "rabbitmq";
  /** The broker's URL without its password. */
  where: string;
  namespace: string;
  /** How the names were found (SCAN; rabbitmqctl; the queue names of the known runs). */
  method: string;
  items: BrokerItem[];
};

export type PurgeOutcome = { deleted: string[]; skipped: { name: string; why: string }[] };

export function describeItem(i: BrokerItem): string {
  const size = i.size === undefined ? (i.note ?? "size unknown") : `${i.size} ${i.unit ?? ""}`.trim();
  return `${i.name}  (${i.type}, ${size})`;
}
