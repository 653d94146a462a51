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

export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(an invalid URL)";
  }
}

/** One line a user can act on; bad input (exit 2): the fix is to start the broker or set the variable. */
export function brokerUnreachable(what: string, variable: string, url: string, cause: unknown): Error {
  const why = (cause as Error)?.message ?? String(cause);
  return Object.assign(new Error(`Cannot reach ${what} at ${redactUrl(url)}: ${why}. Start it or point ${variable} at a running one.`, { cause }), {
    badInput: true,
    unreachable: true,
  });
}

export function describeItem(i: BrokerItem): string {
  const size = i.size === undefined ? (i.note ?? "size unknown") : `${i.size} ${i.unit ?? ""}`.trim();
  return `${i.name}  (${i.type}, ${size})`;
}
