// How busy a private broker is: commands it processed and CPU it used, read before and after a
// window. Redis counts its own commands (INFO stats total_commands_processed) and CPU (INFO cpu);
// RabbitMQ has no command counter, so the data segments it received stand in for commands (see
// rabbitmqCounters), and its CPU is the Erlang VM's, from /proc/<pid>/stat. Both also count how
// often the broker woke up (its threads' voluntary context switches): an idle connection's cost is
// mostly the broker waking for it (a heartbeat timer, a frame), and unlike CPU time that count does
// not grow when the machine is busy with something else.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";

/**
 * connections: clients connected at the sample (the sampler's own excluded), to check that the
 * workers measured are there. wakeups: the broker's voluntary context switches so far, all threads.
 */
export type BrokerSample = { commands: number; cpuSeconds: number; wakeups: number; connections: number; at: number };

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

/** voluntary_ctxt_switches of a /proc/<pid>/task/<tid>/status text. */
export function voluntarySwitches(status: string): number {
  return Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
}

/** How many times the process's threads went to sleep waiting for something (each one a later wake-up). */
export function processWakeups(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += voluntarySwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8"));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return sum;
}

export function redisCounters(url: string, pid: number): BrokerCounters {
  return {
    source: "Redis INFO stats total_commands_processed and INFO cpu used_cpu_user + used_cpu_sys (the INFO calls themselves subtracted); wake-ups: the server's voluntary context switches (/proc/<pid>/task/*/status)",
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
          wakeups: processWakeups(pid),
          connections: infoField(info, "connected_clients") - 1,
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

/**
 * RabbitMQ has no command counter, and `rabbitmqctl list_connections recv_cnt` leaves out the
 * connections that do not answer its query in time on a loaded machine (their frames with them). So
 * the kernel counts: the data-carrying TCP segments the broker received on its AMQP port (ss -ti
 * data_segs_in, pure ACKs excluded). Clients write with TCP_NODELAY and an idle client's every frame
 * (a heartbeat, a passive declare) is one write, so for idle traffic a segment is a frame.
 */
export function rabbitmqCounters(server: { url: string; dir: string }): BrokerCounters {
  const port = Number(new URL(server.url).port);
  return {
    source: "data-carrying TCP segments received on the AMQP port (ss -ti data_segs_in; an idle client's frame is one segment) and the Erlang VM's CPU (/proc/<pid>/stat); wake-ups: the VM's voluntary context switches (/proc/<pid>/task/*/status)",
    async sample() {
      const received = receivedSegments(await ssSockets(port), port);
      const pid = readFileSync(join(server.dir, "rabbitmq.pid"), "utf8").trim();
      const cpuSeconds = procCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) / TICKS_PER_SECOND;
      return { commands: received.sum, cpuSeconds, wakeups: processWakeups(Number(pid)), connections: received.rows, at: performance.now() };
    },
  };
}

function ssSockets(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ss", ["-tin", "state", "established", `( sport = :${port} )`], { timeout: 30_000 }, (error, stdout) => {
      if (error) return reject(new Error(`Cannot count RabbitMQ's received segments: ${error.message.split("\n")[0]}`, { cause: error }));
      resolve(String(stdout));
    });
  });
}

/** Sockets whose local end is `port` and the sum of their data_segs_in, from `ss -tin` output. */
export function receivedSegments(text: string, port: number): { sum: number; rows: number } {
  let sum = 0;
  let rows = 0;
  let ours = false;
  for (const line of text.split("\n")) {
    const local = line.trim().split(/\s+/)[2];
    if (/^\d/.test(line.trim()) && local !== undefined) {
      ours = local.endsWith(`:${port}`);
      if (ours) rows++;
    } else if (ours) {
      sum += Number(/\bdata_segs_in:(\d+)/.exec(line)?.[1] ?? 0);
    }
  }
  return { sum, rows };
}
