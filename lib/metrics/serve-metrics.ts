// Serves GET /metrics in the Prometheus text format with node:http (Node 20 and Deno 2).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What /metrics serves: the text of a scrape and its Content-Type. */
export type MetricsSource = { contentType: string; render(): string | Promise<string> };
export type MetricsServer = {
  /** The port actually bound (useful with port 0). */
  port: number;
  url: string;
  /** Stops listening and drops open connections; safe to call more than once. */
  close(): Promise<void>;
};

async function handle(metrics: MetricsSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/metrics") {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found: metrics are at /metrics\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("Method not allowed\n");
    return;
  }
  let body: string;
  try {
    body = await metrics.render();
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`Cannot render metrics: ${(error as Error).message}\n`);
    return;
  }
  res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Listens on `port` (0: any free port) on every interface unless `host` is given. */
export async function serveMetrics(metrics: MetricsSource, port: number, options: { host?: string } = {}): Promise<MetricsServer> {
  const server = createServer((req, res) => void handle(metrics, req, res));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`Cannot serve metrics on port ${port}: ${error.message}`, { cause: error }));
    server.once("error", onError);
    server.listen({ port, ...(options.host ? { host: options.host } : {}) }, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}/metrics`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
