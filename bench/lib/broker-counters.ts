// How busy a private broker is: commands it processed and CPU it used, read before and after a
// window. Redis counts its own commands (INFO stats total_commands_processed) and CPU (INFO cpu);
// RabbitMQ has no command counter, so the frames its connections received (rabbitmqctl
// list_connections recv_cnt: every method, heartbeat and content frame) stand in for commands, and
// its CPU is the Erlang VM's, from /proc/<pid>/stat.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";

export type BrokerSample = { commands: number; cpuSeconds: number; at: number };

export type BrokerCounters = {
  /** What "commands" counts on this broker, for the report. */
  source: string;
  sample(): Promise<BrokerSample>;
};

/** A named field of an INFO reply. */
export function infoField(info: string, name: string): number {
  const m = info.match(new RegExp(`^${name}:([\\d.]+)`, "m"));
  if (!m) throw new Error(`Cannot read ${name} from Redis INFO`);
  return Number(m[1]);
}

export function redisCounters(url: string): BrokerCounters {
  return {
    source: "Redis INFO stats total_commands_processed and INFO cpu used_cpu_user + used_cpu_sys (the INFO calls themselves subtracted)",
    async sample() {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on("error", () => undefined);
      try {
        await client.connect();
        const info = await client.info("all");
        return {
          // This INFO is counted in the total it reports.
          commands: infoField(info, "total_commands_processed") - 1,
          cpuSeconds: infoField(info, "used_cpu_user") + infoField(info, "used_cpu_sys"),
          at: performance.now(),
        };
      } finally {
        client.disconnect();
      }
    },
  };
}

/** utime + stime of a /proc/<pid>/stat line, in clock ticks (fields 14 and 15, after the command in parentheses). */
export function procCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Linux's USER_HZ: /proc times are in hundredths of a second on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

const RABBITMQCTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";

export function rabbitmqCounters(server: { nodeName: string; dir: string }): BrokerCounters {
  return {
    source: "RabbitMQ frames received on all connections (rabbitmqctl list_connections recv_cnt) and the Erlang VM's CPU (/proc/<pid>/stat)",
    async sample() {
      const commands = await receivedFrames(server.nodeName, server.dir);
      const pid = readFileSync(join(server.dir, "rabbitmq.pid"), "utf8").trim();
      const cpuSeconds = procCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) / TICKS_PER_SECOND;
      return { commands, cpuSeconds, at: performance.now() };
    },
  };
}

function receivedFrames(nodeName: string, home: string): Promise<number> {
  const ctl = existsSync(RABBITMQCTL) ? RABBITMQCTL : "rabbitmqctl";
  return new Promise((resolve, reject) => {
    // The private node's Erlang cookie lives in its HOME.
    execFile(ctl, ["-q", "-n", nodeName, "list_connections", "recv_cnt"], { env: { ...process.env, HOME: home }, timeout: 30_000 }, (error, stdout) => {
      if (error) return reject(new Error(`Cannot count RabbitMQ frames: ${error.message.split("\n")[0]}`, { cause: error }));
      resolve(sumCounts(String(stdout)));
    });
  });
}

/** Sum of the numbers of rabbitmqctl's one-column output (a header line, if any, is not a number). */
export function sumCounts(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) if (/^\d+$/.test(line.trim())) n += Number(line.trim());
  return n;
}
