// `cleanup.ts --list`: everything TTG created and where, gathered read-only from each place.
import type { KubeTarget } from "../kind/kubectl.ts";
import type { LocalBrokers } from "./cleanup-local.ts";
import { purgeTarget } from "./cleanup-local.ts";
import type { Run } from "../shell/run.ts";
import { brokerSection } from "./broker-inventory.ts";
import { imagesSection, kindSection, kubernetesSections } from "./cluster-inventory.ts";
import { section, type Inventory, type InventorySection } from "./inventory-model.ts";
import { processesSection, readProcesses } from "./local-processes.ts";
import { readReportRuns } from "./report-runs.ts";

export type InventorySources = { run: Run; target: KubeTarget; brokers: LocalBrokers; reportsDir: string; procRoot?: string; now?: Date };

function reportsSection(dir: string): InventorySection {
  const runs = readReportRuns(dir);
  const items = runs.map((r) => ({ name: r.runId, detail: `${r.backend} on ${r.platform}, verdict ${r.verdict}: ${r.path}` }));
  return section("reports", "reports", `reports in ${dir}: ${runs.length} run(s)`, items);
}

export async function collectInventory(s: InventorySources): Promise<Inventory> {
  const now = s.now ?? new Date();
  const sections: InventorySection[] = [
    await kindSection(s.run),
    await imagesSection(s.run),
    ...(await kubernetesSections(s.run, s.target)),
    processesSection(readProcesses(s.procRoot)),
    await brokerSection(purgeTarget(s.brokers, "redis", s.run), now),
    await brokerSection(purgeTarget(s.brokers, "rabbitmq", s.run), now),
    reportsSection(s.reportsDir),
  ];
  return { takenAt: now.toISOString(), sections };
}
