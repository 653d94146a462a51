// What `cleanup.ts --list` reports: one section per place TTG creates things. A section whose
// tool or service is missing says so in its summary ("kind: not installed"); it never throws.
import type { BrokerItem } from "../backends/purge-types.ts";
import type { RunListing } from "../backends/run-listing.ts";

export type InventoryItem = { name: string; detail: string; group?: string };

/** A broker's run as listed: its state and objects, and its age ("3 min") when the broker knows when it was loaded. */
export type InventoryRun = RunListing & { age?: string };

export type InventorySection = {
  id: "kind" | "images" | "kubernetes" | "brokerPods" | "processes" | "redis" | "rabbitmq" | "reports";
  title: string;
  /** One line: what was found, or why nothing could be looked at. */
  summary: string;
  /** False when the place could not be looked at (tool missing, nothing answers). */
  available: boolean;
  items: InventoryItem[];
  /** Brokers: each run of the namespace (the items above, grouped by run, are their objects). */
  runs?: InventoryRun[];
  /** Brokers: the old shared layout's objects, when there are any. */
  legacy?: { note: string; objects: BrokerItem[] };
};

export type Inventory = { takenAt: string; sections: InventorySection[] };

export function section(id: InventorySection["id"], title: string, summary: string, items: InventoryItem[] = [], available = true): InventorySection {
  return { id, title, summary, available, items };
}

export function unavailable(id: InventorySection["id"], title: string, why: string): InventorySection {
  return section(id, title, why, [], false);
}

/** Any error as one line (the first line of its message). */
export function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "failed";
}
