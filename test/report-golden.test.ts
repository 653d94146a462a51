// report.md, progress.svg and workers.svg are pure renderings of report.json, compared with
// golden files. UPDATE_GOLDEN=1 rewrites test/golden/* from test/fixtures/reports/*.json.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { renderReportMarkdown } from "../lib/report/render-markdown.ts";
import { renderProgressSvg } from "../lib/report/render-svg-progress.ts";
import { renderWorkersSvg } from "../lib/report/render-svg-workers.ts";

const fixtures = join(import.meta.dirname, "fixtures", "reports");
const golden = join(import.meta.dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";

const renderings: [suffix: string, render: (r: RunReport) => string][] = [
  ["md", renderReportMarkdown],
  ["progress.svg", renderProgressSvg],
  ["workers.svg", renderWorkersSvg],
];

function loadFixture(name: string): RunReport {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as RunReport;
}

const names = readdirSync(fixtures)
  .filter((f) => f.endsWith(".json"))
  .map((f) => basename(f, ".json"))
  .sort();

void test("there is a pass, a fault-demo and a fail fixture", () => {
  assert.ok(names.includes("pass-redis") && names.includes("fault-static") && names.includes("fail-rabbitmq"), names.join(", "));
});

for (const name of names) {
  for (const [suffix, render] of renderings) {
    void test(`${name}.${suffix} matches its golden file`, () => {
      const report = loadFixture(name);
      const actual = render(report);
      assert.equal(render(loadFixture(name)), actual, "same report in, same text out");
      const path = join(golden, `${name}.${suffix}`);
      if (update) {
        mkdirSync(golden, { recursive: true });
        writeFileSync(path, actual);
        return;
      }
      assert.ok(existsSync(path), `missing golden file ${path}: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(actual, readFileSync(path, "utf8"), `${path} differs: if the change is intended, rerun with UPDATE_GOLDEN=1`);
    });
  }
}

const n = (x: number) => x.toLocaleString("en-US");
const row = (md: string, label: string) => md.split("\n").find((l) => l.startsWith(`| ${label} |`)) ?? "";

for (const name of names) {
  void test(`${name}: report.md states the numbers of report.json`, () => {
    const r = loadFixture(name);
    const md = renderReportMarkdown(r);
    assert.match(md, new RegExp(`^# TTG run ${r.runId}: ${r.verdict.toUpperCase()}$`, "m"));
    assert.match(row(md, "expected"), new RegExp(`\\| ${n(r.chunks.expected)} \\|`));
    assert.match(row(md, "accepted (exactly one result each)"), new RegExp(`\\| ${n(r.chunks.accepted)} \\|`));
    assert.match(row(md, "duplicates discarded"), new RegExp(`\\| ${n(r.chunks.duplicatesDiscarded)} \\|`));
    assert.match(row(md, "redelivered"), new RegExp(`\\| ${n(r.chunks.redelivered)} \\|`));
    assert.match(row(md, "dead-lettered"), new RegExp(`\\| ${n(r.chunks.deadLettered)} \\|`));
    assert.equal(row(md, "parameters covered"), `| parameters covered | ${n(r.params.covered)} / ${n(r.params.total)} |`);
    assert.equal(row(md, "aggregate count"), `| aggregate count | ${n(r.aggregate.count)} |`);
    assert.equal(row(md, "wall time"), `| wall time | ${r.wallSeconds.toFixed(2)} s |`);
    assert.match(row(md, "throughput"), new RegExp(`^\\| throughput \\| ${n(r.paramsPerSecond)} params/s`));
    const workers = md.slice(md.indexOf("## Workers"));
    // Each worker's node (M1's key result: which node ran which slice) beside its numbers.
    for (const w of r.perWorker) {
      assert.ok(w.node, `${name}: worker ${w.worker} has a node`);
      assert.match(row(workers, w.worker), new RegExp(`^\\| ${w.worker} \\| ${w.node} \\| ${n(w.chunks)} \\| ${n(w.params)} \\| ${w.busySeconds.toFixed(2)} \\|`));
    }
    for (const p of r.problems) assert.ok(md.includes(`- ${p}`), `the verdict's reason "${p}" is listed`);
    for (const d of r.deadLetters) assert.match(md, new RegExp(`^\\| ${d.chunkId} \\| ${n(d.start)}–${n(d.end - 1)} \\| ${d.attempts} \\|`, "m"));
    for (const m of r.missingChunks ?? []) assert.match(md, new RegExp(`^\\| ${m.chunkId} \\| ${n(m.start)}–${n(m.end - 1)} \\|$`, "m"));
  });
}

void test("a fault-demo report shows the fault and the take-over on the timeline and in the picture", () => {
  for (const name of names.filter((x) => x.startsWith("fault-"))) {
    const r = loadFixture(name);
    assert.ok(r.faults.length > 0 && r.recovery.redeliveries.length > 0, `${name} is a fault-demo fixture`);
    const md = renderReportMarkdown(r);
    const svg = renderProgressSvg(r);
    for (const f of r.faults) {
      assert.match(md, new RegExp(`^\\| \\+[0-9.]+ s \\| ${f.at.slice(11, 23)} \\| fault injected \\|`, "m"));
      assert.ok(svg.includes(`: worker ${f.worker} killed</text>`), `${name}: fault marker label`);
    }
    for (const d of r.recovery.redeliveries) {
      assert.match(md, new RegExp(`^\\| ${d.chunkId} \\| .* \\| ${d.fromWorker} \\| ${d.toWorker.replace(/[()]/g, "\\$&")} \\|`, "m"));
      assert.ok(svg.includes(`chunk ${d.chunkId} taken over by worker ${d.toWorker} after ${d.seconds.toFixed(2)} s`), `${name}: recovery marker label`);
    }
    assert.equal((svg.match(/stroke="#d62728" stroke-width="1.5"/g) ?? []).length, r.faults.length, "one fault line per fault");
    assert.equal((svg.match(/stroke="#2ca02c" stroke-width="1.5"/g) ?? []).length, r.recovery.redeliveries.length, "one recovery line per take-over");
  }
});

void test("the pictures are self-contained SVG: no scripts, no external references, balanced elements", () => {
  for (const name of names) {
    for (const svg of [renderProgressSvg(loadFixture(name)), renderWorkersSvg(loadFixture(name))]) {
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
      assert.doesNotMatch(svg, /<script|href=|@import|url\(/);
      const stack: string[] = [];
      for (const [, close, tag, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
        if (selfClosing) continue;
        if (close) assert.equal(stack.pop(), tag, `${name}: </${tag}> closes what was opened`);
        else stack.push(tag ?? "");
      }
      assert.deepEqual(stack, [], `${name}: every element is closed`);
      assert.match(svg, /time since start \(s\)|throughput while busy \(params\/s\)/, "axis labels with units");
    }
  }
});
