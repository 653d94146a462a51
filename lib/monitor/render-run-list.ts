// monitor.ts without --run-id: every run of the broker namespace with its state, age, chunks done
// and dead letters — a table for people, a JSON array for machines.
import chalk from "chalk";
import Table from "cli-table3";
import type { BrokerRuns } from "../backends/list-runs.ts";
import { formatAge, type RunListing, type RunState } from "../backends/run-listing.ts";

export type RunListEntry = RunListing & { ageSeconds: number | null };

const n = (x: number | undefined) => (x === undefined ? "?" : x.toLocaleString("en-US"));
const COLORS: Record<RunState, (s: string) => string> = { active: chalk.green, finished: chalk.cyan, abandoned: chalk.yellow };

function runListEntries(runs: readonly RunListing[], now: Date): RunListEntry[] {
  return runs.map((r) => ({ ...r, ageSeconds: r.createdAt ? Math.max(0, Math.round((now.getTime() - Date.parse(r.createdAt)) / 1000)) : null }));
}

export function renderRunList(b: BrokerRuns, now: Date, options: { color?: boolean } = {}): string {
  const { listing } = b;
  const style = options.color ? { compact: true } : { compact: true, head: [], border: [] };
  const lines = [`TTG runs — ${listing.backend} at ${listing.where} — namespace ${listing.namespace} — ${now.toISOString().slice(11, 19)} UTC (found by ${listing.method})`];
  if (b.runs.length === 0) {
    lines.push(`No runs in namespace ${listing.namespace} on ${listing.backend}: start one with ./runbook/demo.ts --backend ${listing.backend}.`);
  } else {
    const t = new Table({ head: ["run", "state", "why", "age", "chunks done", "dead letters"], style });
    for (const r of runListEntries(b.runs, now)) {
      const state = options.color ? COLORS[r.state](r.state) : r.state;
      t.push([r.runId, state, r.why, r.ageSeconds === null ? "?" : formatAge(r.ageSeconds * 1000), `${n(r.chunksDone)} / ${n(r.totalChunks)}`, n(r.deadLettered)]);
    }
    lines.push(t.toString());
    lines.push(`Watch one: ./runbook/monitor.ts --backend ${listing.backend} --run-id <run> --watch 2`);
  }
  if (b.legacy.length > 0) {
    lines.push(`Also ${b.legacy.length} object(s) of the old shared layout (no run id): ${b.legacy.map((i) => i.name).join(", ")}; see ./runbook/cleanup.ts --list.`);
  }
  return lines.join("\n");
}

export function runListJson(b: BrokerRuns, now: Date): string {
  return JSON.stringify(runListEntries(b.runs, now));
}
