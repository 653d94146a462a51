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
