// Local worker processes (their command line runs worker/main.ts, or the bundled worker/main.mjs) and private brokers (a
// redis-server or rabbitmq-server whose arguments or working folder are a ttg-redis-* /
// ttg-rabbitmq-* temp dir), read from /proc — no `ps` output to parse.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { section, type InventoryItem, type InventorySection } from "./inventory-model.ts";

export type LocalProcess = { pid: number; args: string[]; cwd: string; env: Record<string, string> };

function readQuiet(fn: () => string): string {
  try {
    return fn();
  } catch {
    return "";
  }
}

/** Every process /proc shows (Linux); elsewhere, none. */
export function readProcesses(procRoot = "/proc"): LocalProcess[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const out: LocalProcess[] = [];
  for (const e of entries) {
    const dir = join(procRoot, e);
    const cmdline = readQuiet(() => readFileSync(join(dir, "cmdline"), "utf8"));
    if (cmdline === "") continue;
    const environ = readQuiet(() => readFileSync(join(dir, "environ"), "utf8"));
    const env: Record<string, string> = {};
    for (const kv of environ.split("\0")) {
      const at = kv.indexOf("=");
      if (at > 0) env[kv.slice(0, at)] = kv.slice(at + 1);
    }
    out.push({ pid: Number(e), args: cmdline.split("\0").filter((a) => a !== ""), cwd: readQuiet(() => readlinkSync(join(dir, "cwd"))), env });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

function isWorkerProcess(p: LocalProcess): boolean {
  return p.args.some((a) => /(^|\/)worker\/main\.(ts|mjs)$/.test(a));
}

const PRIVATE_DIR = /[^\s"']*ttg-(redis|rabbitmq)-[A-Za-z0-9]+/;

/** "redis" / "rabbitmq" for a private broker TTG started, else undefined. */
function privateBrokerKind(p: LocalProcess): "redis" | "rabbitmq" | undefined {
  const joined = p.args.join(" ");
  const isServer = /redis-server|rabbitmq-server|beam\.smp/.test(joined);
  if (!isServer) return undefined;
  const dir = PRIVATE_DIR.exec(joined) ?? PRIVATE_DIR.exec(p.cwd) ?? PRIVATE_DIR.exec(p.env.RABBITMQ_MNESIA_BASE ?? "");
  return dir ? (dir[1] as "redis" | "rabbitmq") : undefined;
}

export function processesSection(processes: readonly LocalProcess[], self = process.pid): InventorySection {
  const items: InventoryItem[] = [];
  for (const p of processes) {
    if (p.pid === self) continue;
    if (isWorkerProcess(p)) {
      const e = p.env;
      const mode = e.QUEUE_MODE === "true" ? `queue mode, ${e.QUEUE_BACKEND ?? "redis"}` : "static mode";
      const id = e.WORKER_ID === undefined ? "" : `worker ${e.WORKER_ID}, `;
      items.push({ name: `pid ${p.pid}`, detail: `${id}${mode}`, group: `run ${e.RUN_ID ?? "(unknown)"}` });
      continue;
    }
    const broker = privateBrokerKind(p);
    if (broker) {
      const dir = PRIVATE_DIR.exec(p.args.join(" "))?.[0] ?? (PRIVATE_DIR.test(p.cwd) ? p.cwd : (p.env.RABBITMQ_MNESIA_BASE ?? ""));
      const port = /:(\d+)$/.exec(p.args[0] ?? "")?.[1] ?? p.env.RABBITMQ_NODE_PORT;
      items.push({ name: `pid ${p.pid}`, detail: `private ${broker}-server${port ? ` on port ${port}` : ""}, dir ${dir}`, group: "private brokers" });
    }
  }
  items.sort((a, b) => (a.group ?? "").localeCompare(b.group ?? ""));
  const workers = items.filter((i) => i.group !== "private brokers").length;
  return section("processes", "local processes", `local processes: ${workers} worker(s), ${items.length - workers} private broker(s)`, items);
}
