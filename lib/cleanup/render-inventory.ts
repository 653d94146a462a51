// The inventory as text: one summary line per place, its items indented, grouped by run.
import type { Inventory } from "./inventory-model.ts";

export function renderInventory(inv: Inventory): string {
  const lines: string[] = [];
  for (const s of inv.sections) {
    lines.push(s.summary);
    let group: string | undefined;
    for (const item of s.items) {
      if (item.group !== undefined && item.group !== group) lines.push(`  ${item.group}:`);
      group = item.group;
      lines.push(`${item.group === undefined ? "  " : "    "}${item.name}  ${item.detail}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const FILTERS = { docker: ["kind", "images"], k8s: ["kubernetes", "brokerPods"] } as const;

/** The seed's list-resources filters: --docker (cluster containers, images), --k8s (Kubernetes objects); none: everything. */
export function filterInventory(inv: Inventory, only: { docker: boolean; k8s: boolean }): Inventory {
  const keep = new Set<string>([...(only.docker ? FILTERS.docker : []), ...(only.k8s ? FILTERS.k8s : [])]);
  return keep.size === 0 ? inv : { ...inv, sections: inv.sections.filter((s) => keep.has(s.id)) };
}
