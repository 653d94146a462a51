// demo.ts flags (README "The demo", docs/configuration.md) resolved into DemoOptions:
// explicit flags win over worker variables in the environment, which win over the preset.
import { randomBytes } from "node:crypto";
import { decimal, integer, type Parser } from "../config/parsers.ts";
import type { Env } from "../config/worker-config.ts";
import { workerEnvFromEnvironment } from "../config/worker-env-passthrough.ts";
import { RUN_ID } from "../config/run-id.ts";
import { WORKER_VARIABLES } from "../config/worker-variables.ts";
import { SCALE_NAMES, SCALE_PRESETS, type ScaleName } from "../sweep/scale-presets.ts";
import type { MonitorMode, SweepConfig } from "../sweep/sweep-config.ts";
import { DEFAULT_RESTART_BUDGET } from "../sweep/worker-restarts.ts";
import { readSweepFile } from "../sweep-def/load-sweep.ts";
import { sweepSpace } from "../sweep-def/sweep-space.ts";
import { flag } from "../script/flag-parsers.ts";
import { KIND_CONTEXT } from "../k8s/cluster.ts";
import { scriptParser } from "../script/script-parser.ts";

/** Where the demo writes its runs unless --reports says otherwise. */
export const DEFAULT_REPORTS_DIR = "reports";

/** An integer chunk size, or "auto" (measure one evaluation, then choose). */
const chunkSizeOrAuto: Parser<number | "auto"> = {
  accepts: `${integer(1, 10_000_000).accepts}, or auto`,
  parse: (raw) => (raw.trim().toLowerCase() === "auto" ? "auto" : integer(1, 10_000_000).parse(raw)),
};

/** As parsed: the platform and an auto chunk size are resolved later (resolve-demo.ts). */
export type DemoOptions = Omit<SweepConfig, "platform" | "chunkSizeChoice"> & {
  /** --chunk-size auto: the demo measures and chooses chunkSize before it starts. */
  chunkSizeAuto: boolean;
  platformChoice: "kind" | "local" | "auto";
  /** kind: the kube context of every kubectl call (brokers, port-forwards, worker pods). */
  kubeContext: string;
  /** kind: build and load a missing worker image (false: --no-build, stop with the command to run). */
  build: boolean;
  yes: boolean;
  dryRun: boolean;
  verbose: boolean;
  /** --resume RUN_ID: finish that interrupted run (its configuration comes from its run.json). */
  resume?: string;
  /** --retry-failed RUN_ID: evaluate again only the failed parameters of that finished run. */
  retryFailed?: string;
};

const BACKENDS = ["redis", "rabbitmq", "static"] as const;
const MONITORS = ["cli", "web", "both", "none"] as const;

function defaultRunId(backend: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${backend}-${stamp}-${randomBytes(2).toString("hex")}`;
}

export function demoParser(argv: string[]) {
  return scriptParser(argv, "demo.ts", "Runs a parameter sweep end to end and writes reports/<run-id>/report.json and report.md.")
    .option("backend", { choices: BACKENDS, default: "redis" as const, describe: "queue backend, or static slices (M1)" })
    .option("scale", { choices: SCALE_NAMES, default: "small" as ScaleName, describe: "workload preset" })
    .option("workers", { coerce: flag("workers", integer(1, 256)), default: 3, describe: "number of workers" })
    .option("fault-demo", { type: "boolean", default: false, describe: "kill one worker at ~30% progress" })
    .option("fault-at", { coerce: flag("fault-at", decimal(0.01, 0.99)), default: 0.3, describe: "progress fraction for --fault-demo" })
    .option("monitor", { choices: MONITORS, default: "none" as MonitorMode, describe: "monitoring to start beside the demo" })
    .option("skip-cleanup", { type: "boolean", default: false, describe: "keep workers' queues/keys after the run" })
    .option("platform", { choices: ["kind", "local"] as const, describe: "default: kind when the ttg-sandbox cluster exists, else local" })
    .option("context", { type: "string", default: KIND_CONTEXT, describe: "kind: the kube context every kubectl call names (brokers, port-forwards and workers in one cluster)" })
    .option("build", { type: "boolean", default: true, describe: "kind: build and load the worker image when a node lacks it (--no-build: stop at once and name the command)" })
    .option("params", { coerce: flag("params", integer(1, 1e12)), describe: "parameters in the sweep (overrides the preset)" })
    .option("chunk-size", { coerce: flag("chunk-size", chunkSizeOrAuto), describe: "parameters per chunk (overrides the preset), or auto: chosen from the measured cost of one evaluation" })
    .option("work-ms", { coerce: flag("work-ms", decimal(0, 3_600_000)), describe: "simulated work per parameter, ms (overrides the preset)" })
    .option("compute", { type: "string", describe: "path of a module exporting compute(paramId), or compute(point, paramId) with --sweep (sets COMPUTE_MODULE)" })
    .option("compute-cmd", { type: "string", describe: "a program in any language speaking the JSON line protocol, one per compute slot, instead of --compute (sets COMPUTE_COMMAND; docs/own-algorithm.md)" })
    .conflicts("compute-cmd", "compute")
    .option("sweep", { type: "string", describe: "sweep file (YAML or JSON): named axes as a grid or seeded random samples, or points from CSV/JSONL; the sweep's size replaces --params (docs/own-algorithm.md)" })
    .conflicts("sweep", "params")
    .option("run-id", { coerce: flag("run-id", RUN_ID), describe: "run id (default: <backend>-<time>-<random>)" })
    .option("resume", { coerce: flag("resume", RUN_ID), describe: "finish this interrupted run: compute only the parameters without a value, one report for the whole run (its other settings come from reports/<run>/run.json)" })
    .option("retry-failed", { coerce: flag("retry-failed", RUN_ID), describe: "evaluate again only the failed parameters of this finished run, then rewrite its report and results" })
    .conflicts("resume", ["retry-failed", "run-id"])
    .option("reports", { type: "string", default: DEFAULT_REPORTS_DIR, describe: "folder for reports" })
    .option("results", { choices: ["params", "chunks", "none"] as const, default: "params" as const, describe: "write accepted results next to the report: one record per parameter, per chunk, or none" })
    .option("results-format", { choices: ["jsonl", "csv"] as const, default: "jsonl" as const, describe: "format of the results file" })
    .option("stall-seconds", { coerce: flag("stall-seconds", decimal(1)), default: 120, describe: "give up after this long without progress" })
    .option("restart-budget", { coerce: flag("restart-budget", integer(0, 10_000)), default: DEFAULT_RESTART_BUDGET, describe: "how many times in all a worker that died is started again while work remains (as a Job's backoffLimit)" })
    .option("yes", { type: "boolean", default: false, describe: "no prompts (implied when stdin is not a terminal)" })
    .option("dry-run", { type: "boolean", default: false, describe: "print each command it would run; change nothing" })
    .option("verbose", { type: "boolean", default: false, describe: "stack traces on errors" });
}

function fromEnv(env: Env, name: keyof typeof WORKER_VARIABLES): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  return WORKER_VARIABLES[name].parser.parse(raw) as number;
}

export async function parseDemoOptions(argv: string[], env: Env, stdinIsTTY: boolean): Promise<DemoOptions> {
  const a = await demoParser(argv).parseAsync();
  const workerEnv = workerEnvFromEnvironment(env);
  const preset = SCALE_PRESETS[a.scale];
  const sweep = a.sweep === undefined ? undefined : await readSweepFile(a.sweep);
  const params = sweep ? sweepSpace(sweep).size : (a.params ?? fromEnv(env, "TOTAL_PARAMETERS") ?? preset.params);
  const chunkSizeFlag = a["chunk-size"];
  const chunkSize = (chunkSizeFlag === "auto" ? undefined : chunkSizeFlag) ?? fromEnv(env, "CHUNK_SIZE") ?? preset.chunkSize;
  const workMs = a["work-ms"] ?? fromEnv(env, "SIMULATE_WORK_MS") ?? preset.workMs;
  const maxDeliveries = fromEnv(env, "MAX_DELIVERIES") ?? Number(WORKER_VARIABLES.MAX_DELIVERIES.default);
  const computeModule = a.compute ?? env.COMPUTE_MODULE ?? undefined;
  const computeCommand = a["compute-cmd"] ?? env.COMPUTE_COMMAND ?? "";
  return {
    runId: a["run-id"] ?? defaultRunId(a.backend),
    platformChoice: a.platform ?? "auto",
    kubeContext: a.context,
    build: a.build,
    backend: a.backend,
    workers: a.workers,
    scale: a.params || sweep || a["chunk-size"] || a["work-ms"] !== undefined ? `${a.scale} (overridden)` : a.scale,
    params,
    chunkSize,
    workMs,
    faultDemo: a["fault-demo"],
    faultAt: a["fault-at"],
    monitor: a.monitor,
    skipCleanup: a["skip-cleanup"],
    reportsDir: a.reports,
    computeModule: computeModule === "" ? undefined : computeModule,
    maxDeliveries,
    workerEnv,
    stallSeconds: a["stall-seconds"],
    restartBudget: a["restart-budget"],
    chunkSizeAuto: chunkSizeFlag === "auto",
    results: a.results,
    resultsFormat: a["results-format"],
    yes: a.yes || !stdinIsTTY,
    dryRun: a["dry-run"],
    verbose: a.verbose,
    ...(computeCommand.trim() ? { computeCommand } : {}),
    ...(sweep && a.sweep ? { sweep, sweepFile: a.sweep } : {}),
    ...(a.resume ? { resume: a.resume } : {}),
    ...(a["retry-failed"] ? { retryFailed: a["retry-failed"] } : {}),
  };
}
