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
