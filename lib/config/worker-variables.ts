// The worker's environment variables: one table that validation, the manifests'
// defaults and the generated configuration reference all read.
import { boolean, decimal, integer, oneOf, optionalText, text, type Parser } from "./parsers.ts";
import { RUN_ID } from "./run-id.ts";

export type VariableSpec<T> = {
  name: string;
  /** The value used when the variable is unset (undefined: no default). */
  default: string | undefined;
  description: string;
  /** Why the default differs from the Python original, when it does. */
  why?: string;
  parser: Parser<T>;
};

function v<T>(spec: VariableSpec<T>): VariableSpec<T> {
  return spec;
}

const hostname = text(/^[A-Za-z0-9._:[\]-]+$/, "a host name or IP address");

export const WORKER_VARIABLES = {
  WORKER_ID: v({
    name: "WORKER_ID",
    default: undefined,
    description: "Worker identity. Default: JOB_COMPLETION_INDEX when set (Indexed Job), else 0.",
    parser: text(/^[A-Za-z0-9._-]{1,63}$/, "1-63 letters, digits, '.', '_' or '-'"),
  }),
  JOB_COMPLETION_INDEX: v({
    name: "JOB_COMPLETION_INDEX",
    default: undefined,
    description: "Set by Kubernetes for Indexed Jobs; used as WORKER_ID when WORKER_ID is unset.",
    parser: integer(0),
  }),
  TOTAL_WORKERS: v({
    name: "TOTAL_WORKERS",
    default: "3",
    description: "Static mode: how many slices the sweep is cut into.",
    parser: integer(1, 100_000),
  }),
  TOTAL_PARAMETERS: v({
    name: "TOTAL_PARAMETERS",
    default: "10000",
    description: "Size of the sweep: parameters 0 .. TOTAL_PARAMETERS-1.",
    parser: integer(1, 1e12),
  }),
  CHUNK_SIZE: v({
    name: "CHUNK_SIZE",
    default: "100",
    description: "Parameters per queue chunk.",
    parser: integer(1, 10_000_000),
  }),
  BATCH_SIZE: v({
    name: "BATCH_SIZE",
    default: "500",
    description: "Static mode: parameters per progress event.",
    parser: integer(1, 10_000_000),
  }),
  SIMULATE_WORK_MS: v({
    name: "SIMULATE_WORK_MS",
    default: "1",
    description: "Built-in simulation: milliseconds of (sleeping) work per parameter.",
    parser: decimal(0, 3_600_000),
  }),
  SIMULATE_FAULT_RATE: v({
    name: "SIMULATE_FAULT_RATE",
    default: "0.0",
    description: "Probability that a chunk throws, to exercise retries and dead-lettering.",
    parser: decimal(0, 1),
  }),
  QUEUE_MODE: v({
    name: "QUEUE_MODE",
    default: "false",
    description: "true: pull chunks from a queue; false: process a static slice.",
    parser: boolean(),
  }),
  USE_QUEUE: v({
    name: "USE_QUEUE",
    default: undefined,
    description: "The Python original's name for QUEUE_MODE (its manifests and run-demo.sh set it): the same meaning; QUEUE_MODE wins when both are set.",
    parser: boolean(),
  }),
  QUEUE_BACKEND: v({
    name: "QUEUE_BACKEND",
    default: "redis",
    description: "Queue backend: redis or rabbitmq.",
    parser: oneOf(["redis", "rabbitmq"] as const),
  }),
  RUN_ID: v({
    name: "RUN_ID",
    default: "ttg-run",
    description: "Queue mode: the run whose chunks this worker processes (and may load).",
    parser: RUN_ID,
  }),
  QUEUE_NAMESPACE: v({
    name: "QUEUE_NAMESPACE",
    default: "ttg",
    description: "Prefix of every Redis key and RabbitMQ queue (ttg:tasks, ttg.tasks...).",
    parser: text(/^[A-Za-z0-9_-]{1,40}$/, "1-40 letters, digits, '_' or '-'"),
  }),
  REDIS_HOST: v({ name: "REDIS_HOST", default: "ttg-redis", description: "Redis host.", parser: hostname }),
  REDIS_PORT: v({ name: "REDIS_PORT", default: "6379", description: "Redis port.", parser: integer(1, 65535) }),
  REDIS_URL: v({
    name: "REDIS_URL",
    default: undefined,
    description: "redis://[user:password@]host:port[/db]; overrides REDIS_HOST and REDIS_PORT.",
    parser: text(/^rediss?:\/\/.+/, "a redis:// or rediss:// URL"),
  }),
  REDIS_PASSWORD: v({
    name: "REDIS_PASSWORD",
    default: undefined,
    description: "Redis password (from a Secret on Kubernetes).",
    parser: optionalText(),
  }),
  RABBITMQ_HOST: v({ name: "RABBITMQ_HOST", default: "ttg-rabbitmq", description: "RabbitMQ host.", parser: hostname }),
  RABBITMQ_PORT: v({
    name: "RABBITMQ_PORT",
    default: "5672",
    description: "RabbitMQ AMQP port.",
    parser: integer(1, 65535),
  }),
  AMQP_URL: v({
    name: "AMQP_URL",
    default: undefined,
    description: "amqp://user:password@host:port/vhost; overrides the RABBITMQ_* variables.",
    parser: text(/^amqps?:\/\/.+/, "an amqp:// or amqps:// URL"),
  }),
  RABBITMQ_USER: v({
    name: "RABBITMQ_USER",
    default: undefined,
    description: "RabbitMQ user (from a Secret on Kubernetes; guest only works on localhost).",
    parser: optionalText(),
  }),
  RABBITMQ_PASSWORD: v({
    name: "RABBITMQ_PASSWORD",
    default: undefined,
    description: "RabbitMQ password (from a Secret on Kubernetes).",
    parser: optionalText(),
  }),
  RABBITMQ_HEARTBEAT_SECONDS: v({
    name: "RABBITMQ_HEARTBEAT_SECONDS",
    default: "10",
    description:
      "The AMQP heartbeat a RabbitMQ worker asks for. The broker cuts off a frozen (SIGSTOP, hung node) worker after two to three of these with no frame from it and hands its chunks to others; a killed worker's socket closes at once, whatever this is. An idle worker's only regular traffic is one heartbeat frame each way per interval.",
    why: "The broker's default (60 s) would leave a frozen worker's chunks stranded for minutes; TTG's earlier 2 s brought it back in 6 s, but its heartbeats were most of an idle worker's frames once the settled polling was replaced by a push. 5 s brought it back in about 14 s, but an idle worker's cost to the broker is mostly the broker waking for its heartbeats (timers and a frame each way): at 5 s, 1.05 wake-ups/s and 9-12 % of a core projected for 1,000 idle workers, over the 10 % target. 10 s: back in about 30 s (29.9 s, twice), 0.69 wake-ups/s and 5.6 % of a core projected for 1,000; set 2 or 5 when frozen workers matter more than broker CPU.",
    parser: integer(1, 600),
  }),
  IDLE_TIMEOUT_SECONDS: v({
    name: "IDLE_TIMEOUT_SECONDS",
    default: "30",
    description:
      "Queue mode: how often a worker with no work logs why it stays. It exits as soon as the run is settled, never while a chunk of the run is pending, reclaimable or in flight elsewhere.",
    why: "The original's 30 s, kept for its manifests; it only paces a log line. The original exited after 30 s idle, before a killed worker's chunk became reclaimable, and stranded it: leaving when the run is settled needs no timeout.",
    parser: decimal(0),
  }),
  STALE_CHECK_INTERVAL_SECONDS: v({
    name: "STALE_CHECK_INTERVAL_SECONDS",
    default: "0.1",
    description: "How often the run's reclaimer (one worker at a time, holding a short lease) and a worker between chunks look for abandoned chunks; a worker with nothing to do asks the broker at most every IDLE_PROBE_SECONDS.",
    why: "The original's 30 s made a killed worker cost up to 90 s; a check that finds nothing abandoned is one XPENDING of well under a millisecond.",
    parser: decimal(0.01, 3600),
  }),
  IDLE_PROBE_SECONDS: v({
    name: "IDLE_PROBE_SECONDS",
    default: "2",
    description:
      "Queue mode: how often a worker with nothing left to take asks the broker anything (whether the run is settled; on Redis, the reclaimer lease), so an idle fleet costs the broker under one command per worker per second. The run's end is pushed to idle workers (Redis: the run's settled channel; RabbitMQ: its settled queue), so they leave at once; this probe is the backstop should a push go unheard. Unset, a demo run of more than 64 workers gives its workers 2 s x workers / 64 (256 workers: 8 s), so the whole fleet probes about 32 times a second; a fleet started otherwise should do the same (1,000 workers: 31.25). Tests shorten it.",
    parser: decimal(0.05, 60),
  }),
  STALE_THRESHOLD_MS: v({
    name: "STALE_THRESHOLD_MS",
    default: "1500",
    description: "A chunk whose lease has not been renewed for this long counts as abandoned.",
    why: "Live workers renew their lease every threshold/3 while they compute, so a short threshold never steals live work.",
    parser: integer(200, 86_400_000),
  }),
  MAX_DELIVERIES: v({
    name: "MAX_DELIVERIES",
    default: "3",
    description: "A chunk delivered this many times without success goes to the dead-letter place.",
    parser: integer(1, 1000),
  }),
  MAX_BATCH_CHUNKS: v({
    name: "MAX_BATCH_CHUNKS",
    default: "1024",
    description:
      "Queue mode: most chunks a worker takes at once. It takes one while chunks are long and more (about 50 ms of work) when they are short, so a chunk's broker round trips are shared; 1 turns batching off.",
    parser: integer(1, 10_000),
  }),
  RETRY_DELAY_MS: v({
    name: "RETRY_DELAY_MS",
    default: "500",
    description: "Delay before a failed chunk is retried.",
    parser: integer(0, 3_600_000),
  }),
  SHUTDOWN_GRACE_SECONDS: v({
    name: "SHUTDOWN_GRACE_SECONDS",
    default: "5",
    description:
      "On SIGTERM/SIGINT, how long a chunk in progress may take to finish; past it the chunk is left unacknowledged for another worker.",
    parser: decimal(0, 3600),
  }),
  PUBLISH_VALUES: v({
    name: "PUBLISH_VALUES",
    default: "false",
    description: "Publish per-parameter values with each chunk result (needed for the results file).",
    parser: boolean(),
  }),
  RESULTS_FILE: v({
    name: "RESULTS_FILE",
    default: undefined,
    description: "Static mode: write each parameter's value of this worker's slice to this file (JSONL).",
    parser: optionalText(),
  }),
  HEARTBEAT_SECONDS: v({
    name: "HEARTBEAT_SECONDS",
    default: "10",
    description: "Log a heartbeat (state, chunk in hand, progress) this often; 0 turns it off.",
    parser: decimal(0, 3600),
  }),
  LOG_LEVEL: v({
    name: "LOG_LEVEL",
    default: "INFO",
    description: "DEBUG, INFO, WARNING or ERROR.",
    parser: oneOf(["DEBUG", "INFO", "WARNING", "ERROR"] as const, { WARN: "WARNING" }),
  }),
  LOG_FORMAT: v({ name: "LOG_FORMAT", default: "text", description: "text or json.", parser: oneOf(["text", "json"] as const) }),
  COMPUTE_MODULE: v({
    name: "COMPUTE_MODULE",
    default: undefined,
    description: "Path of an ES module exporting compute(paramId) => number | Promise<number>; default: the built-in simulation.",
    parser: optionalText(),
  }),
  COMPUTE_MODULE_JS: v({
    name: "COMPUTE_MODULE_JS",
    default: undefined,
    description:
      "JavaScript build of a TypeScript COMPUTE_MODULE, set by the local platform (built once per change, cached under the module's node_modules/.cache/ttg-compute): the compute thread imports it instead of loading tsx, ~0.25 s less start-up per worker. Logs and errors still name COMPUTE_MODULE; unset: COMPUTE_MODULE is loaded as it is.",
    parser: optionalText(),
  }),
  COMPUTE_COMMAND: v({
    name: "COMPUTE_COMMAND",
    default: undefined,
    description:
      "A program in any language evaluating the parameters instead of COMPUTE_MODULE (\"python3 my_algo.py\"; words split on spaces, quotes kept, no shell): started once per compute slot, it reads {\"id\": 12, \"point\": {...}} lines on stdin and answers {\"id\": 12, \"value\": 1.23} or {\"id\": 12, \"error\": \"why\"} lines in any order; its stderr goes to the worker's log (docs/own-algorithm.md).",
    parser: optionalText(),
  }),
  SWEEP_JSON: v({
    name: "SWEEP_JSON",
    default: undefined,
    description: "The sweep (demo.ts --sweep FILE writes it): each parameter id is a point, and COMPUTE_MODULE's function is called compute(point, paramId); unset: compute(paramId).",
    parser: optionalText(),
  }),
  NODE_NAME: v({
    name: "NODE_NAME",
    default: undefined,
    description: "The node the worker runs on, shown in its log lines and the report's workers table. Pods get it from spec.nodeName (downward API); default: this machine's host name.",
    parser: hostname,
  }),
  PARAM_RETRIES: v({
    name: "PARAM_RETRIES",
    default: "2",
    description:
      "A parameter whose evaluation throws is tried again in place this many times, then recorded as failed (cause error) with its last error; the rest of its chunk keeps its values.",
    why: "The original dead-lettered the whole chunk: one bad parameter cost the good ones beside it.",
    parser: integer(0, 100),
  }),
  PARAM_TIMEOUT_SECONDS: v({
    name: "PARAM_TIMEOUT_SECONDS",
    default: undefined,
    description:
      "Time limit of one evaluation (unset: none). Past it the compute thread (or sandbox process) is ended and replaced, and the parameter recorded as failed (cause timeout).",
    parser: decimal(0.01, 86_400),
  }),
  METRICS_PORT: v({
    name: "METRICS_PORT",
    default: undefined,
    description: "Serve Prometheus metrics on this port (unset: no metrics server).",
    parser: integer(1, 65535),
  }),
} as const;

export type WorkerVariableName = keyof typeof WORKER_VARIABLES;
