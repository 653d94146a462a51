// --compute-cmd end to end: the shipped Python example over a 2-axis grid on Redis and RabbitMQ
// with a worker killed, checked against a brute-force evaluation; and a program that crashes on
// one parameter and hangs on another costs those two parameters only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-cmd-demo-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Best = { id: number; x: number; y: number; value: number };

/** Every grid point evaluated in one Python process, the grid built by Python's own arithmetic. */
function bruteForce(): { lowest: Best; highest: Best; count: number } {
  const script = `
import json, sys
sys.path.insert(0, "examples/sweeps")
from bowl import compute
xs = [0 + (1 - 0) * i / 100 if i < 100 else 1 for i in range(101)]
ys = [10 ** (-3 + (3 - -3) * j / 60 if j < 60 else 3) for j in range(61)]
rows = [(i * 61 + j, x, y, compute({"x": x, "y": y})) for i, x in enumerate(xs) for j, y in enumerate(ys)]
lo = min(rows, key=lambda r: r[3]); hi = max(rows, key=lambda r: r[3])
as_best = lambda r: {"id": r[0], "x": r[1], "y": r[2], "value": r[3]}
print(json.dumps({"lowest": as_best(lo), "highest": as_best(hi), "count": len(rows)}))
`;
  const r = spawnSync("python3", ["-c", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { lowest: Best; highest: Best; count: number };
}

type Record = { param: number; x: number; y: number; value: number };

/** results.jsonl, or results.csv with its header param,x,y,value,... */
function readRecords(dir: string, format: "jsonl" | "csv"): Record[] {
  const lines = readFileSync(join(dir, `results.${format}`), "utf8").trim().split("\n");
  if (format === "jsonl") {
    return lines.map((l) => {
      const { param, x, y, value } = JSON.parse(l) as Record;
      return { param, x, y, value };
    });
  }
  assert.equal(lines[0], "param,x,y,value,chunk,worker,cause,error");
  return lines.slice(1).map((l) => {
    const [param, x, y, value] = l.split(",").map(Number) as [number, number, number, number];
    return { param, x, y, value };
  });
}

for (const [backend, format] of [["redis", "jsonl"], ["rabbitmq", "csv"]] as const) {
  test(`the Python example over a 101 x 61 grid on ${backend} with a worker killed: PASS, the best point is the brute force's, ${format} has x and y`, (t) => {
    const reports = folder(t);
    const r = runDemo(
      ["--platform", "local", "--backend", backend, "--sweep", "examples/sweeps/grid-2d.yaml", "--compute-cmd", "python3 examples/sweeps/bowl.py", "--chunk-size", "100", "--workers", "3", "--fault-demo", "--results-format", format, "--run-id", uniqueRunId(`cmd-${backend}`), "--reports", reports, "--yes"],
      { env: { QUEUE_NAMESPACE: testNamespace() } },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(r.path, "utf8")) as { verdict: string; best: { lowest: { id: number; point: { x: number; y: number }; value: number }[]; highest: { id: number; point: { x: number; y: number }; value: number }[] } };
    assert.equal(report.verdict, "pass");
    const expected = bruteForce();
    const asBest = (b: Best) => ({ id: b.id, point: { x: b.x, y: b.y }, value: b.value });
    assert.deepEqual(report.best.lowest[0], asBest(expected.lowest));
    assert.deepEqual(report.best.highest[0], asBest(expected.highest));
    assert.equal(report.best.lowest.length, 10);
    assert.ok(report.best.lowest.every((b, i, all) => i === 0 || (all[i - 1] as { value: number }).value <= b.value));
    const records = readRecords(dirname(r.path), format);
    assert.equal(records.length, expected.count);
    assert.deepEqual(records.map((rec) => rec.param), records.map((_, i) => i));
    assert.equal(new Set(records.map((rec) => `${rec.x},${rec.y}`)).size, expected.count);
    const lowest = records.reduce((a, b) => (b.value < a.value ? b : a));
    assert.deepEqual(lowest, { param: expected.lowest.id, x: expected.lowest.x, y: expected.lowest.y, value: expected.lowest.value });
    assert.match(readFileSync(join(dirname(r.path), "report.md"), "utf8"), /## Best points/);
  });
}

test("a program that dies on one parameter and hangs on another: those two fail (crash, timeout), the rest have values", (t) => {
  const dir = folder(t);
  const sweep = join(dir, "small.yaml");
  writeFileSync(sweep, "axes:\n  x: { range: [0, 4, 1] }\n  y: [0, 10, 20, 30, 40]\n");
  const r = runDemo(
    ["--platform", "local", "--backend", "redis", "--sweep", sweep, "--compute-cmd", "python3 test/fixtures/compute-commands/crash-and-hang.py", "--chunk-size", "5", "--workers", "1", "--run-id", uniqueRunId("cmd-fail"), "--reports", join(dir, "reports"), "--yes"],
    { env: { QUEUE_NAMESPACE: testNamespace(), PARAM_TIMEOUT_SECONDS: "2", PARAM_RETRIES: "1" } },
  );
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(r.path, "utf8")) as { failedParams: { param: number; cause: string }[] };
  assert.deepEqual(report.failedParams.map((f) => [f.param, f.cause]), [[7, "crash"], [9, "timeout"]]);
  const records = readFileSync(join(dirname(r.path), "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { param: number; value?: number });
  const good = records.filter((rec) => rec.value !== undefined);
  assert.equal(good.length, 18);
  for (const rec of good) assert.equal(rec.value, Math.floor(rec.param / 5) + (rec.param % 5) * 10);
});
