// TTG dashboard page: reads the same JSON scripts use (/api/...) every second and redraws the
// view of the current address (#/, #/run/<backend>/<run>, #/reports, #/report/<folder>). Data is
// put in the page as text, never as HTML; only a report's Markdown, rendered by the server, is HTML.
const POLL_MS = 1000;
const view = document.getElementById("view");
const status = document.getElementById("status");
let timer;
let generation = 0;
let busy = false;

const n = (x) => (x === null || x === undefined ? "–" : Number(x).toLocaleString("en-US", { maximumFractionDigits: 1 }));
const seconds = (s) => (s === null || s === undefined ? "–" : s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** el("td", { class: "num" }, "12") — children are strings (as text) or nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : String(c)));
  return node;
}

function table(head, rows, attrs = {}) {
  return el("table", attrs, el("thead", {}, el("tr", {}, head.map((h) => el("th", { class: h.endsWith("#") ? "num" : undefined }, h.replace(/#$/, ""))))), el("tbody", {}, rows));
}

const stateCell = (state, why) => el("td", { class: `state state-${state}`, title: why }, state);
const bar = (pct) => el("span", { class: "bar" }, el("span", { style: `width:${Math.max(0, Math.min(100, pct ?? 0))}%` }));
const link = (href, text) => el("a", { href }, text);

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `${path}: HTTP ${res.status}`);
  return res.json();
}

function showStatus(text, isError) {
  status.textContent = text;
  status.className = isError ? "error" : "";
}

function replace(id, ...nodes) {
  const target = document.getElementById(id);
  if (target) target.replaceChildren(...nodes);
}

// ---- the run list -------------------------------------------------------------------------

function runListSkeleton() {
  view.replaceChildren(el("h1", {}, "Runs"), el("div", { id: "brokers" }), el("h2", {}, "Report history"), el("div", { id: "history" }));
}

function historyTable(rows) {
  if (rows.length === 0) return el("p", { class: "note" }, "No reports yet: a run writes reports/<run>/report.json when it ends.");
  return table(
    ["started (UTC)", "run", "backend", "platform", "workers#", "params covered#", "chunks accepted#", "dead-lettered#", "wall#", "params/s#", "verdict"],
    rows.map((r) =>
      el("tr", { "data-report": r.folder },
        el("td", {}, r.startedAt.slice(0, 19).replace("T", " ")),
        el("td", {}, link(`#/report/${encodeURIComponent(r.folder)}`, r.runId)),
        el("td", {}, r.backend), el("td", {}, r.platform), el("td", { class: "num" }, n(r.workers)),
        el("td", { class: "num" }, `${n(r.params.covered)} / ${n(r.params.total)}`),
        el("td", { class: "num" }, `${n(r.chunks.accepted)} / ${n(r.chunks.expected)}`),
        el("td", { class: "num" }, n(r.chunks.deadLettered)),
        el("td", { class: "num" }, seconds(r.wallSeconds)), el("td", { class: "num" }, n(r.paramsPerSecond)),
        el("td", { class: `verdict-${r.verdict}` }, r.verdict))),
    { id: "history-table" },
  );
}

function brokerSection(b) {
  const title = el("h2", {}, `${b.backend} — namespace ${b.namespace} — ${b.where}`);
  if (!b.reachable) return [title, el("div", { class: "error-box", "data-broker-error": b.backend }, b.error)];
  if (b.runs.length === 0) return [title, el("p", { class: "note" }, `No runs on ${b.backend} in namespace ${b.namespace}.`)];
  const rows = b.runs.map((r) =>
    el("tr", { "data-run": r.runId, "data-backend": r.backend },
      el("td", {}, link(`#/run/${r.backend}/${encodeURIComponent(r.runId)}`, r.runId)),
      stateCell(r.state, r.why), el("td", {}, r.why), el("td", { class: "num" }, seconds(r.ageSeconds)),
      el("td", {}, bar(r.percent), " ", `${n(r.chunksDone)} / ${n(r.totalChunks)}`),
      el("td", { class: "num" }, n(r.deadLettered)),
      el("td", {}, r.report ? link(`#/report/${encodeURIComponent(r.report)}`, "report") : "")));
  const legacy = b.legacy > 0 ? [el("p", { class: "note" }, `Also ${b.legacy} object(s) of the old shared layout: see ./runbook/cleanup.ts --list.`)] : [];
  return [title, table(["run", "state", "why", "age#", "chunks done", "dead letters#", "report"], rows, { class: "runs" }), ...legacy];
}

async function drawRunList() {
  const [runs, history] = await Promise.all([getJson("/api/runs"), getJson("/api/reports")]);
  replace("brokers", ...runs.brokers.flatMap(brokerSection));
  replace("history", historyTable(history));
  const down = runs.brokers.filter((b) => !b.reachable);
  return down.length ? `${down.map((b) => b.backend).join(", ")}: broker unreachable, retrying` : undefined;
}

// ---- one run --------------------------------------------------------------------------------

const filters = { dead: "", failed: "" };

function runSkeleton(backend, runId) {
  const search = (key, label) => {
    const input = el("input", { type: "search", placeholder: label, "aria-label": label, id: `search-${key}` });
    input.value = filters[key];
    input.addEventListener("input", () => { filters[key] = input.value; void tick(); });
    return input;
  };
  view.replaceChildren(
    el("h1", {}, `Run ${runId} `, el("small", { class: "note" }, `(${backend})`)),
    el("div", { id: "run-error" }),
    el("p", {}, el("span", { id: "run-state", class: "state" }), " ", el("span", { id: "run-why", class: "note" }), " ", el("span", { id: "run-report" })),
    el("div", { id: "figures", class: "figures" }),
    el("h2", {}, "Progress over time"), el("div", { id: "chart" }),
    el("h2", {}, "Workers"), el("div", { id: "workers" }),
    el("h2", {}, "Chunks in flight"), el("div", { id: "in-flight" }),
    el("h2", {}, "Failed parameters"), search("failed", "search failed parameters"), el("div", { id: "failed" }),
    el("h2", {}, "Dead letters"), search("dead", "search dead letters"), el("div", { id: "dead" }),
    el("div", { id: "notes" }),
  );
}

function figure(id, value, label) {
  return el("div", { class: "figure", id }, el("b", {}, value), el("span", {}, label));
}

function chart(history, total) {
  const pts = history.points;
  if (pts.length === 0) return el("p", { class: "note" }, "No progress yet.");
  const W = 760, H = 240, L = 56, R = 12, T = 12, B = 30;
  const maxS = Math.max(1, pts.at(-1).seconds);
  const maxC = Math.max(1, total);
  const x = (s) => L + ((W - L - R) * s) / maxS;
  const y = (c) => H - B - ((H - T - B) * c) / maxC;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `chunks accepted over time: ${pts.at(-1).chunks} of ${total}`);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
  };
  add("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#8c959f" });
  add("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#8c959f" });
  add("line", { x1: L, y1: y(total), x2: W - R, y2: y(total), stroke: "#d1d9e0", "stroke-dasharray": "4 3" });
  add("text", { x: L - 6, y: y(total) + 4, "text-anchor": "end", "font-size": 11 }, n(total));
  add("text", { x: L - 6, y: H - B + 4, "text-anchor": "end", "font-size": 11 }, "0");
  add("text", { x: W - R, y: H - 8, "text-anchor": "end", "font-size": 11 }, seconds(maxS));
  add("text", { x: L, y: H - 8, "font-size": 11 }, "chunks accepted over time");
  const line = [{ seconds: 0, chunks: 0 }, ...pts].map((p) => `${x(p.seconds).toFixed(1)},${y(p.chunks).toFixed(1)}`).join(" ");
  add("polyline", { points: line, fill: "none", stroke: "#0969da", "stroke-width": 2 });
  return svg;
}

const matches = (term, ...fields) => !term || fields.some((f) => String(f ?? "").toLowerCase().includes(term.toLowerCase()));

function drawRunDetail(d) {
  replace("run-error", ...(d.error ? [el("div", { class: "error-box" }, `broker unreachable, retrying: ${d.error}`)] : []));
  const state = document.getElementById("run-state");
  state.textContent = d.state;
  state.className = `state state-${d.state}`;
  document.getElementById("run-why").textContent = d.why;
  replace("run-report", ...(d.report ? [link(`#/report/${encodeURIComponent(d.report.folder)}`, `report (${d.report.verdict})`)] : []));
  const p = d.progress;
  replace("figures",
    figure("fig-chunks", `${n(p.chunksDone)} / ${n(p.totalChunks)}`, `chunks done (${n(p.percent)} %)`),
    figure("fig-params", `${n(p.paramsDone)} / ${n(p.totalParams)}`, "params done"),
    figure("fig-rate", d.paramsPerSecond === null ? "–" : `${n(Math.round(d.paramsPerSecond))}/s`, "throughput (params)"),
    figure("fig-eta", d.settled ? "done" : seconds(d.etaSeconds), "ETA"),
    figure("fig-waiting", n(p.waiting), "waiting"),
    figure("fig-inflight", n(p.inFlight), "in flight"),
    figure("fig-dead", n(p.deadLettered), "dead-lettered"),
    figure("fig-dup", n(p.duplicates), "duplicates discarded"),
    figure("fig-best", d.best?.min ? n(d.best.min.value) : "–", `best (lowest value) so far${d.best?.min?.where ? ` @ ${d.best.min.where}` : ""}`),
    figure("fig-max", d.best?.max ? n(d.best.max.value) : "–", `highest value so far${d.best?.max?.where ? ` @ ${d.best.max.where}` : ""}`));
  replace("chart", chart(d.history, p.totalChunks));
  replace("workers", d.workers.length === 0 ? el("p", { class: "note" }, "No worker known yet.") : table(
    ["worker", "process / pod", "node", "state", "holding#", "chunks done#", "params done#", "last seen#", "last result"],
    d.workers.map((w) => el("tr", { "data-worker": w.id },
      el("td", {}, w.id), el("td", {}, w.process ?? "–"), el("td", {}, w.node ?? "–"), stateCell(w.state, w.why),
      el("td", { class: "num" }, n(w.holding)), el("td", { class: "num" }, n(w.chunks)), el("td", { class: "num" }, n(w.params)),
      el("td", { class: "num" }, w.lastSeenSecondsAgo === null ? "–" : `${n(w.lastSeenSecondsAgo)} s ago`),
      el("td", {}, w.lastResultAt ? w.lastResultAt.slice(11, 19) : "–"))),
    { id: "workers-table" }));
  replace("in-flight", d.inFlight.length === 0 ? el("p", { class: "note" }, "None listed.") : table(
    ["chunk#", "params", "worker", "age#", "deliveries#", ""],
    d.inFlight.map((c) => el("tr", { "data-chunk": c.chunkId },
      el("td", { class: "num" }, n(c.chunkId)), el("td", {}, c.start === null ? "–" : `[${c.start}, ${c.end})`), el("td", {}, c.worker),
      el("td", { class: "num" }, `${n(c.ageSeconds)} s`), el("td", { class: "num" }, n(c.deliveries)),
      el("td", { class: c.takenOver ? "state state-silent" : "" }, c.takenOver ? "taken over" : ""))),
    { id: "in-flight-table" }));
  const failed = (d.failedParams ?? []).filter((f) => matches(filters.failed, f.param, f.cause, f.error));
  replace("failed", d.failedParams === null ? el("p", { class: "note" }, "The run's report has no per-parameter failures (yet).") : table(
    ["param#", "cause", "error", "attempts#"],
    failed.map((f) => el("tr", { "data-param": f.param }, el("td", { class: "num" }, n(f.param)), el("td", {}, f.cause), el("td", {}, f.error), el("td", { class: "num" }, n(f.attempts)))),
    { id: "failed-table" }));
  const dead = d.deadLetters.filter((x) => matches(filters.dead, x.chunkId, x.error));
  replace("dead", d.deadLetters.length === 0 ? el("p", { class: "note" }, "None.") : table(
    ["chunk#", "params", "attempts#", "error"],
    dead.map((x) => el("tr", {}, el("td", { class: "num" }, n(x.chunkId)), el("td", {}, x.start === null ? "–" : `[${x.start}, ${x.end})`), el("td", { class: "num" }, n(x.attempts)), el("td", {}, x.error))),
    { id: "dead-table" }));
  replace("notes", ...d.notes.map((t) => el("p", { class: "note" }, t)));
  return d.error ? "broker unreachable, retrying" : undefined;
}

// ---- reports ----------------------------------------------------------------------------------

async function drawReports() {
  view.replaceChildren(el("h1", {}, "Report history"), historyTable(await getJson("/api/reports")));
}

async function drawReport(folder) {
  const page = await getJson(`/api/reports/${encodeURIComponent(folder)}`);
  const body = el("article", { class: "report-body", id: "report-body" });
  body.innerHTML = page.html; // rendered by the server from report.md, raw HTML escaped
  view.replaceChildren(
    el("p", {}, link("#/reports", "← report history"), " · ", link(`/api/reports/${encodeURIComponent(folder)}/files/report.json`, "report.json")),
    body);
}

// ---- routing and polling ----------------------------------------------------------------------

function currentRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "run" && parts.length === 3) return { kind: "run", backend: parts[1], runId: parts[2] };
  if (parts[0] === "report" && parts.length === 2) return { kind: "report", folder: parts[1] };
  if (parts[0] === "reports") return { kind: "reports" };
  return { kind: "list" };
}

async function tick() {
  if (busy) return;
  busy = true;
  try {
    await draw();
  } finally {
    busy = false;
  }
}

async function draw() {
  const mine = generation;
  const route = currentRoute();
  try {
    let problem;
    if (route.kind === "list") problem = await drawRunList();
    if (route.kind === "run") {
      const d = await getJson(`/api/runs/${route.backend}/${encodeURIComponent(route.runId)}`);
      if (mine === generation) problem = drawRunDetail(d);
    }
    if (mine !== generation) return;
    showStatus(problem ?? `updated ${new Date().toLocaleTimeString()}`, Boolean(problem));
  } catch (error) {
    if (mine === generation) showStatus(`dashboard unreachable, retrying: ${error.message}`, true);
  }
}

async function open() {
  generation++;
  clearInterval(timer);
  const route = currentRoute();
  try {
    if (route.kind === "report") return await drawReport(route.folder);
    if (route.kind === "reports") return await drawReports();
  } catch (error) {
    view.replaceChildren(el("div", { class: "error-box" }, error.message));
    return;
  }
  if (route.kind === "list") runListSkeleton();
  if (route.kind === "run") runSkeleton(route.backend, route.runId);
  await tick();
  timer = setInterval(() => void tick(), POLL_MS);
}

addEventListener("hashchange", () => void open());
void open();
