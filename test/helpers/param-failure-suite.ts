// Failures per parameter (docs/own-algorithm.md) end to end, for one backend: a demo (real brokers, real worker processes, --platform
// local, its own namespace and run id) whose compute throws on one parameter, never returns on
// one, or SIGKILLs its own process on one. Each run ends by itself with exit 1, every other
// parameter has its value, the failed one is named with its cause, and the results file's values
// sum to the report's aggregate.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { ExactSum } from "../../lib/compute/exact-sum.ts";
import type { RunReport } from "../../lib/report/report-model.ts";
import { EXIT_CODES } from "../../lib/script/exit-codes.ts";
import { startDemo, testNamespace, uniqueRunId } from "./demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./queue-run.ts";

const PARAMS = 60;
const BAD = 33;

type Case = { cause: "error" | "timeout" | "crash"; env: Record<string, string>; error: RegExp; attempts: number };

const CASES: Case[] = [
  { cause: "error", env: { THROW_ON: String(BAD), PARAM_RETRIES: "2" }, error: /^cannot evaluate parameter 33$/, attempts: 3 },
  { cause: "timeout", env: { HANG_ON: String(BAD), PARAM_TIMEOUT_SECONDS: "2" }, error: /^timed out after 2 s/, attempts: 1 },
  { cause: "crash", env: { KILL_ON: String(BAD) }, error: /^its process was killed by SIGKILL$/, attempts: 1 },
];

type ResultLine = { param: number; value?: number; cause?: string; error?: string };

export function paramFailureSuite(backend: BackendName): void {
  describe(`${backend}: one bad parameter costs only itself`, () => {
    for (const c of CASES) {
      test(`a parameter whose evaluation ${c.cause === "error" ? "throws" : c.cause === "timeout" ? "never returns" : "SIGKILLs its process"}: exit 1, ${PARAMS - 1} values, the parameter named with cause ${c.cause}`, async (t) => {
        const reports = mkdtempSync(join(tmpdir(), "ttg-paramfail-"));
        const namespace = testNamespace();
        const runId = uniqueRunId(`pf-${c.cause}`);
        t.after(async () => {
          rmSync(reports, { recursive: true, force: true });
          await deleteNamespace(backend, BROKER_URLS[backend], namespace, [runId]).catch(() => undefined);
        });
        // The monitor counts failed parameters from the broker (Redis: the run's stats hash;
        // RabbitMQ: the done markers): the run's data is kept to read it.
        const keep = c.cause === "error" ? ["--skip-cleanup"] : [];
        const demo = startDemo(
          ["--backend", backend, "--platform", "local", "--params", String(PARAMS), "--chunk-size", "10", "--workers", "2", "--work-ms", "0",
            "--compute", "test/fixtures/faulty-compute.ts", "--run-id", runId, "--reports", reports, "--yes", ...keep],
          { env: { QUEUE_NAMESPACE: namespace, REDIS_URL: BROKER_URLS.redis, AMQP_URL: BROKER_URLS.rabbitmq, ...c.env } },
        );
        t.after(() => demo.kill());
        const r = await demo.finished(90_000);
        assert.equal(r.code, EXIT_CODES.failed, `${r.stdout}\n${r.stderr}`);
        const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
        assert.deepEqual(report.params, { total: PARAMS, covered: PARAMS - 1, failed: 1 });
        assert.equal(report.failedParams.length, 1);
        const failed = report.failedParams[0]!;
        assert.equal(failed.param, BAD);
        assert.equal(failed.cause, c.cause);
        assert.match(failed.error, c.error);
        assert.equal(failed.attempts, c.attempts);
        assert.equal(report.chunks.accepted, PARAMS / 10, "every chunk accepted, the bad one with its failure record");
        assert.equal(report.chunks.deadLettered, 0);
        assert.equal(report.aggregate.count, PARAMS - 1);
        assert.equal(report.aggregate.sum, (PARAMS * (PARAMS - 1)) / 2 - BAD, "every other parameter has its value");
        assert.equal(report.verdict, "fail");
        assert.ok(report.problems.some((p) => p.startsWith(`1 of ${PARAMS} parameters have no value: ${BAD} (${c.cause}`)), JSON.stringify(report.problems));

        const lines = readFileSync(join(reports, runId, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as ResultLine);
        assert.deepEqual(lines.map((l) => l.param), Array.from({ length: PARAMS }, (_, i) => i), "a record per parameter, in order");
        const sum = new ExactSum();
        for (const l of lines) if (l.value !== undefined) sum.add(l.value);
        assert.equal(sum.value(), report.aggregate.sum, "the results file's values sum to the report's aggregate");
        const bad = lines[BAD]!;
        assert.equal(bad.value, undefined);
        assert.equal(bad.cause, c.cause);
        assert.match(bad.error ?? "", c.error);

        const md = readFileSync(join(reports, runId, "report.md"), "utf8");
        assert.match(md, /^## Failed parameters$/m);
        assert.match(md, new RegExp(`\\| ${c.cause} \\| 1 \\| ${BAD} \\|`));
        assert.match(r.stdout, new RegExp(`param ${BAD}: ${c.cause} \\(`), "the console summary names it");
        if (keep.length > 0) {
          const monitor = spawnSync(process.execPath, ["--import", "tsx", "runbook/monitor.ts", "--backend", backend, "--run-id", runId, "--json"], {
            encoding: "utf8",
            env: { ...process.env, QUEUE_NAMESPACE: namespace, REDIS_URL: BROKER_URLS.redis, AMQP_URL: BROKER_URLS.rabbitmq },
            timeout: 30_000,
          });
          const reading = JSON.parse(monitor.stdout.trim().split("\n").at(-1) ?? "{}") as { params?: { failed?: number } };
          assert.equal(reading.params?.failed, 1, monitor.stdout + monitor.stderr);
        }
      });
    }
  });
}
