// The dashboard's HTTP layer on node:http: the page (static files from ./static, no build step)
// and the JSON the page reads, which scripts may read too. Read-only: GET and HEAD only.
//   GET /api/runs                              every run on each watched broker, with its state
//   GET /api/runs/<backend>/<run>              one run: progress, workers, in flight, dead letters…
//   GET /api/reports                           the report history, newest first
//   GET /api/reports/<folder>                  one report: report.json and report.md as HTML
//   GET /api/reports/<folder>/files/<name>     a file of the report folder (pictures…)
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { DashboardData } from "./dashboard-data.ts";

const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

export type DashboardServer = { url: string; close(): Promise<void> };

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

const sendJson = (res: ServerResponse, value: unknown) => send(res, 200, "application/json; charset=utf-8", JSON.stringify(value));
const notFound = (res: ServerResponse, what: string) => send(res, 404, "application/json; charset=utf-8", JSON.stringify({ error: `Cannot find ${what}` }));

/** Answers one request from the data layer; the route table is the header of this file. */
async function route(data: DashboardData, path: string, res: ServerResponse): Promise<void> {
  const asset = ASSETS[path];
  if (asset) return send(res, 200, asset.type, await readFile(`${STATIC_DIR}${asset.file}`));
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [api, kind, a, b, c] = parts;
  if (api !== "api") return notFound(res, path);
  if (kind === "runs" && parts.length === 2) return sendJson(res, await data.runs());
  if (kind === "runs" && parts.length === 4 && a && b) {
    const run = await data.run(a, b);
    return run ? sendJson(res, run) : notFound(res, `backend ${a}: this dashboard does not watch it`);
  }
  if (kind === "reports" && parts.length === 2) return sendJson(res, await data.reports());
  if (kind === "reports" && parts.length === 3 && a) {
    const page = await data.report(a);
    return page ? sendJson(res, page) : notFound(res, `report ${a}`);
  }
  if (kind === "reports" && parts.length === 5 && a && b === "files" && c) {
    const file = await data.reportFile(a, c);
    return file ? send(res, 200, file.type, file.body) : notFound(res, `file ${c} of report ${a}`);
  }
  return notFound(res, path);
}

function handle(data: DashboardData, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(res, 405, "application/json; charset=utf-8", JSON.stringify({ error: "Cannot change anything here: the dashboard is read-only" }));
    return;
  }
  const path = new URL(req.url ?? "/", "http://dashboard").pathname;
  route(data, path, res).catch((error: unknown) => {
    if (!res.headersSent) send(res, 500, "application/json; charset=utf-8", JSON.stringify({ error: (error as Error).message }));
    else res.end();
  });
}

/** Listens on host:port (port 0: any free one) and answers until closed. */
export async function serveDashboard(data: DashboardData, o: { host: string; port: number }): Promise<DashboardServer> {
  const server: Server = createServer((req, res) => handle(data, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => data.close());
      return closed;
    },
  };
}
