// A RabbitMQ for the local platform and the tests: the one already answering at the URL, or a
// private `rabbitmq-server` on free ports with its own temp dir, node name, cookie and data, which
// stop() ends by its own pid (never the machine's broker, never by name).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { connect } from "amqplib";
import { BadInput } from "../../script/bad-input.ts";
import { freePorts } from "../../net/ports.ts";
import { redactUrl } from "../../net/redact-url.ts";
import { isAccessRefused, pause } from "./amqp-link.ts";

export type LocalRabbitmq = {
  url: string;
  /** True when this helper started the server (stop() ends it); false for one already running. */
  started: boolean;
  stop(): Promise<void>;
};

export type PrivateRabbitmq = LocalRabbitmq & {
  port: number;
  nodeName: string;
  dir: string;
  /** Starts the stopped server again on the same ports and data (durable queues survive). */
  start(): Promise<void>;
  /** Stops the server and keeps its data, for a restart. */
  halt(): Promise<void>;
};

export type StartOptions = {
  startTimeoutMs?: number;
  /** The server script to run; default: found by findRabbitmqServer(). */
  serverPath?: string;
  log?: (message: string) => void;
};

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export async function ensureLocalRabbitmq(url: string, options: StartOptions = {}): Promise<LocalRabbitmq> {
  if (await answersAmqp(url)) return { url, started: false, stop: async () => {} };
  const host = safeHost(url);
  if (!LOCAL_HOSTS.has(host)) {
    throw new Error(`Cannot reach RabbitMQ at ${redactUrl(url)}: nothing answers there; start the broker or fix AMQP_URL / RABBITMQ_HOST`);
  }
  options.log?.(`nothing answers at ${redactUrl(url)}; starting a private rabbitmq-server`);
  return startPrivateRabbitmq(options);
}

/** True when an AMQP broker accepts a connection at the URL (a refused login also counts as an answer). */
async function answersAmqp(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const model = await connect(url, { timeout: timeoutMs });
    await model.close().catch(() => {});
    return true;
  } catch (error) {
    return isAccessRefused(error);
  }
}

function findRabbitmqServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user (and its
  // fixed dirs) when run as root; the script it wraps runs the server as whoever calls it.
  const candidates = [env.RABBITMQ_SERVER, "/usr/lib/rabbitmq/bin/rabbitmq-server"];
  for (const dir of (env.PATH ?? "").split(delimiter)) if (dir) candidates.push(join(dir, "rabbitmq-server"));
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
}

export async function startPrivateRabbitmq(options: StartOptions = {}): Promise<PrivateRabbitmq> {
  const bin = options.serverPath ?? findRabbitmqServer();
  if (!bin || !existsSync(bin)) {
    throw new BadInput("Cannot start a local RabbitMQ: rabbitmq-server is not installed (apt-get install rabbitmq-server, or brew install rabbitmq)");
  }
  const dir = mkdtempSync(join(tmpdir(), "ttg-rabbitmq-"));
  const [port = 0, distPort = 0] = await freePorts(2);
  const nodeName = `ttg-${Math.random().toString(36).slice(2, 10)}@localhost`;
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir, // its own Erlang cookie
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq"),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
    RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"), // not the machine's /etc/rabbitmq one
    RABBITMQ_PID_FILE: join(dir, "rabbitmq.pid"),
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let removeExitHook = () => {};

  const start = async (): Promise<void> => {
    const out = openSync(join(dir, "server.log"), "a");
    const proc = spawn(bin, [], { env, cwd: dir, stdio: ["ignore", out, out], detached: true });
    closeSync(out);
    child = proc;
    exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    // If this process dies first, do not leave the server behind.
    const hook = () => killQuietly(beamPid(dir) ?? proc.pid, "SIGKILL");
    process.once("exit", hook);
    removeExitHook = () => process.removeListener("exit", hook);
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (await answersAmqp(url, 1_000)) return;
      if (gone || Date.now() > deadline) {
        const why = gone ? "it exited" : `it did not accept AMQP within ${options.startTimeoutMs ?? 60_000} ms`;
        await halt();
        throw new Error(`Cannot start a private rabbitmq-server on port ${port}: ${why}; see ${join(dir, "server.log")}`);
      }
      await pause(200);
    }
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // SIGTERM to the Erlang VM stops the node cleanly; its wrapper script then exits too.
    killQuietly(beamPid(dir) ?? proc.pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 20_000))),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      killQuietly(beamPid(dir), "SIGKILL");
      killQuietly(proc.pid, "SIGKILL");
      await exited;
    }
    removeExitHook();
    child = undefined;
  };

  await start();
  return {
    url,
    started: true,
    port,
    nodeName,
    dir,
    start,
    halt,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function beamPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, "rabbitmq.pid"), "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
