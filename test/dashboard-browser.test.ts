// The web dashboard end to end, in headless Chromium (Debian's chromium, driven by playwright-core):
// `monitor.ts --web` watches both brokers while a Redis demo with --fault-demo and a RabbitMQ demo
// run in the test's own namespace. The page lists both runs as active, the Redis run's page advances
// without a reload, shows the killed worker as dead and the run settling; the report history opens
// the finished run's rendered report with its pictures; a report's failed parameters are listed and
// searchable. The JSON endpoints the page reads are checked too. TTG_SCREENSHOT=path saves the run page.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type Page } from "playwright-core";
import { removeNamespace } from "../lib/backends/purge-namespace.ts";
import type { RunDetail } from "../lib/dashboard/run-detail-model.ts";
import type { RunListModel } from "../lib/dashboard/run-list-model.ts";
import { startDemo, testNamespace, uniqueRunId, type DemoProcess } from "./helpers/demo-process.ts";
import { AMQP_URL, REDIS_URL } from "./helpers/seed-runs.ts";
import { waitFor } from "./helpers/wait-for.ts";

const PAGE = { viewport: { width: 1280, height: 1400 } };
const CHROMIUM = { executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] };

function startWebMonitor(env: Record<string, string>, reports: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "runbook/monitor.ts", "--web", "--port", "0", "--reports", reports], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGINT");
  };
  return { url: () => /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0], output: () => out, stop };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return (await res.json()) as T;
}

/** Waits until the page shows what `check` looks for (evaluated in the page). */
function see(page: Page, what: string, check: string, timeoutMs = 30_000): Promise<unknown> {
  return page.waitForFunction(check, undefined, { timeout: timeoutMs }).catch(async (error: unknown) => {
    const shown = await page.evaluate<string>("document.body.innerText").catch(() => "(page gone)");
    throw new Error(`The page did not show ${what} within ${timeoutMs} ms; it shows:\n${shown.slice(0, 3000)}`, { cause: error });
  });
}

const text = (selector: string) => `document.querySelector(${JSON.stringify(selector)})?.textContent ?? ""`;

test("the dashboard shows both runs live, a killed worker, the settled run, its rendered report and failed parameters", { timeout: 115_000 }, async (t) => {
  const namespace = testNamespace();
  const reports = await mkdtemp(join(tmpdir(), "ttg-dash-"));
  const env = { QUEUE_NAMESPACE: namespace, REDIS_URL, AMQP_URL };
  const [redisRun, rabbitRun] = [uniqueRunId("dash-redis"), uniqueRunId("dash-rabbit")];
  const monitor = startWebMonitor(env, reports);
  const demos: DemoProcess[] = [];
  // Registered before the browser starts: a browser that cannot launch must not leave the monitor running.
  t.after(async () => {
    monitor.stop();
    for (const demo of demos) demo.kill();
    await removeNamespace({ backend: "redis", url: REDIS_URL, namespace }).catch(() => undefined);
    await removeNamespace({ backend: "rabbitmq", url: AMQP_URL, namespace, runIds: [rabbitRun] }).catch(() => undefined);
    await rm(reports, { recursive: true, force: true });
  });
  const browser = await chromium.launch(CHROMIUM);
  t.after(() => browser.close());
  const base = await waitFor(monitor.url, `monitor.ts --web to print its URL (output: ${monitor.output()})`, 30_000, 100);
  const page = await browser.newPage(PAGE);
  await page.goto(base);
  await see(page, "both brokers, with no run yet", `document.querySelectorAll("#brokers h2").length === 2`);
  // The demos start once the page watches, so it sees them from their first reading. Each run lasts
  // ~25 s of work, so even on a loaded machine the page reads both before they settle: the RabbitMQ
  // list is read every 5 s (rabbitmqctl), and a run of 12 s was once settled and removed by the time
  // the test asked the API for what the page had just shown.
  const common = ["--platform", "local", "--workers", "3", "--chunk-size", "20", "--reports", reports, "--yes"];
  const [redisDemo, rabbitDemo] = [
    startDemo(["--backend", "redis", "--params", "3000", "--work-ms", "25", "--fault-demo", "--run-id", redisRun, ...common], { env }),
    startDemo(["--backend", "rabbitmq", "--params", "2400", "--work-ms", "30", "--run-id", rabbitRun, ...common], { env }),
  ];
  demos.push(redisDemo, rabbitDemo);
  // The Redis run's page opens now, in a tab of its own, so it watches the run from its start: had it
  // opened only once the list showed both runs (RabbitMQ's is read through rabbitmqctl, slow on a
  // loaded machine), the run could be over by its first reading (seen in CI beside a demo loop).
  const runPage = await browser.newPage(PAGE);
  await runPage.goto(`${base}#/run/redis/${redisRun}`);
  // Every chunk count the page shows is kept in the page itself, whenever the test gets to look.
  await runPage.evaluate(`window.notReloaded = true; window.readings = [];
    setInterval(() => {
      const n = Number((${text("#fig-chunks b")}).split(" / ")[0].replaceAll(",", ""));
      if (n > 0 && window.readings.at(-1) !== n) window.readings.push(n);
    }, 50);`);

  // The list: both runs, active, from the same JSON scripts read.
  await see(page, "both runs as active", `["${redisRun}", "${rabbitRun}"].every((id) => document.querySelector('tr[data-run="' + id + '"] .state')?.textContent === "active")`);
  const list = await getJson<RunListModel>(`${base}api/runs`);
  assert.deepEqual(list.brokers.map((b) => [b.backend, b.reachable, b.runs.map((r) => r.runId)]), [["redis", true, [redisRun]], ["rabbitmq", true, [rabbitRun]]]);

  // One run: progress advances without a reload; the killed worker is dead; the run settles.
  await see(runPage, "progress beyond its first reading", "window.readings.length >= 2 && window.readings[1] > window.readings[0]");
  await see(runPage, "the killed worker as dead", `[...document.querySelectorAll("#workers-table tr[data-worker] .state")].some((c) => c.textContent === "dead")`, 60_000);
  const live = await getJson<RunDetail>(`${base}api/runs/redis/${redisRun}`);
  assert.ok(live.workers.some((w) => w.state === "dead"), JSON.stringify(live.workers));
  if (process.env.TTG_SCREENSHOT) await runPage.screenshot({ path: process.env.TTG_SCREENSHOT, fullPage: true });
  await see(runPage, "the run settled", `(${text("#run-state")}) === "finished" && (${text("#fig-chunks b")}) === "150 / 150"`, 60_000);
  assert.equal(await runPage.evaluate("window.notReloaded"), true, "the page was never reloaded");
  const settled = await getJson<RunDetail>(`${base}api/runs/redis/${redisRun}`);
  assert.deepEqual([settled.state, settled.settled, settled.report?.verdict], ["finished", true, "pass"]);

  // The report history opens the run's report, rendered, with its pictures.
  await page.goto(`${base}#/reports`);
  await see(page, "the run in the report history", `document.querySelector('tr[data-report="${redisRun}"] a') !== null`);
  await page.click(`tr[data-report="${redisRun}"] a`);
  await see(page, "the rendered report with its pictures", `document.querySelector("#report-body h1") !== null && [...document.querySelectorAll("#report-body img")].some((i) => i.complete && i.naturalWidth > 0)`);

  // Failed parameters, from a report that has them, searchable.
  const failedRun = uniqueRunId("dash-failed");
  const report = JSON.parse(await readFile(join(reports, redisRun, "report.json"), "utf8")) as Record<string, unknown>;
  await mkdir(join(reports, failedRun));
  const failedParams = [{ param: 17, cause: "error", error: "ValueError: negative radius", attempts: 3 }, { param: 42, cause: "timeout", error: "timed out after 5 s", attempts: 1 }];
  await writeFile(join(reports, failedRun, "report.json"), JSON.stringify({ ...report, runId: failedRun, verdict: "fail", failedParams }));
  await page.goto(`${base}#/run/redis/${failedRun}`);
  await see(page, "both failed parameters", `document.querySelectorAll("#failed-table tr[data-param]").length === 2`);
  await page.fill("#search-failed", "radius");
  await see(page, "only the matching failed parameter", `[...document.querySelectorAll("#failed-table tr[data-param]")].map((r) => r.dataset.param).join() === "17"`);

  // The RabbitMQ run ends too, and its page is then its report's.
  const [redisEnd, rabbitEnd] = await Promise.all([redisDemo.finished(60_000), rabbitDemo.finished(60_000)]);
  assert.equal(redisEnd.code, 0, redisEnd.stderr);
  assert.equal(rabbitEnd.code, 0, rabbitEnd.stderr);
  await page.goto(`${base}#/run/rabbitmq/${rabbitRun}`);
  await see(page, "the RabbitMQ run finished", `(${text("#run-state")}) === "finished"`);
});
