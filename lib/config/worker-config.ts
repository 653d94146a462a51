// Reads and validates the worker's configuration from an env object (a pure function of it).
import { hostname } from "node:os";
import { invalidValue } from "./config-error.ts";
import { WORKER_VARIABLES, type VariableSpec } from "./worker-variables.ts";

export type Env = Record<string, string | undefined>;

export type WorkerConfig = {
  workerId: string;
  totalWorkers: number;
  totalParameters: number;
  chunkSize: number;
  /** Static mode (BATCH_SIZE): parameters computed between two progress events. */
  progressEveryParams: number;
  simulateWorkMs: number;
  simulateFaultRate: number;
  queueMode: boolean;
  /** The node the worker runs on (NODE_NAME, else the host name). */
  nodeName: string;
  queueBackend: "redis" | "rabbitmq";
  runId: string;
  namespace: string;
  redisUrl: string;
  amqpUrl: string;
  /** RABBITMQ_HEARTBEAT_SECONDS: the AMQP heartbeat a worker asks for. */
  rabbitmqHeartbeatSeconds: number;
  /** IDLE_TIMEOUT_SECONDS: how often an idle queue worker logs why it stays (it leaves when the run is settled). */
  idleNoticeEveryMs: number;
  staleCheckIntervalMs: number;
  /** IDLE_PROBE_SECONDS: how often a worker with nothing left to take asks the broker anything. */
  idleProbeMs: number;
  staleThresholdMs: number;
  maxDeliveries: number;
  maxBatchChunks: number;
  retryDelayMs: number;
  shutdownGraceMs: number;
  publishValues: boolean;
  heartbeatMs: number;
  resultsFile: string | undefined;
  logLevel: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  logFormat: "text" | "json";
  computeModule: string | undefined;
  /** COMPUTE_MODULE_JS: a JavaScript build of a TypeScript computeModule, imported instead of it. */
  computeModuleJs: string | undefined;
  computeCommand: string | undefined;
  /** SWEEP_JSON as the coordinator wrote it (parsed by lib/sweep-def); undefined without a sweep. */
  sweepJson: string | undefined;
  paramRetries: number;
  /** undefined: no time limit. */
  paramTimeoutMs: number | undefined;
  metricsPort: number | undefined;
};

function read<T>(env: Env, spec: VariableSpec<T>): T {
  const raw = env[spec.name] ?? spec.default;
  if (raw === undefined) return undefined as T;
  const value = spec.parser.parse(raw);
  if (value === undefined && raw !== "") throw invalidValue(spec.name, raw, spec.parser.accepts);
  return value as T;
}

export function redisUrlFrom(env: Env): string {
  const explicit = read(env, WORKER_VARIABLES.REDIS_URL);
  const password = read(env, WORKER_VARIABLES.REDIS_PASSWORD);
  const url = new URL(
    explicit ?? `redis://${read(env, WORKER_VARIABLES.REDIS_HOST)}:${read(env, WORKER_VARIABLES.REDIS_PORT)}`,
  );
  if (password !== undefined && url.password === "") url.password = password;
  return url.toString();
}

export function amqpUrlFrom(env: Env): string {
  const explicit = read(env, WORKER_VARIABLES.AMQP_URL);
  const url = new URL(
    explicit ?? `amqp://${read(env, WORKER_VARIABLES.RABBITMQ_HOST)}:${read(env, WORKER_VARIABLES.RABBITMQ_PORT)}`,
  );
  const user = read(env, WORKER_VARIABLES.RABBITMQ_USER);
  const password = read(env, WORKER_VARIABLES.RABBITMQ_PASSWORD);
  if (user !== undefined && url.username === "") url.username = encodeURIComponent(user);
  if (password !== undefined && url.password === "") url.password = encodeURIComponent(password);
  return url.toString();
}

function optionalSeconds(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** PARAM_RETRIES and PARAM_TIMEOUT_SECONDS alone: what evaluating single parameters again needs. */
export function readParamLimits(env: Env): Pick<WorkerConfig, "paramRetries" | "paramTimeoutMs"> {
  return { paramRetries: read(env, WORKER_VARIABLES.PARAM_RETRIES), paramTimeoutMs: optionalSeconds(read(env, WORKER_VARIABLES.PARAM_TIMEOUT_SECONDS)) };
}

export function readWorkerConfig(env: Env): WorkerConfig {
  const V = WORKER_VARIABLES;
  const completionIndex = read(env, V.JOB_COMPLETION_INDEX);
  const workerId = read(env, V.WORKER_ID) ?? (completionIndex === undefined ? "0" : String(completionIndex));
  const config: WorkerConfig = {
    workerId,
    totalWorkers: read(env, V.TOTAL_WORKERS),
    totalParameters: read(env, V.TOTAL_PARAMETERS),
    chunkSize: read(env, V.CHUNK_SIZE),
    progressEveryParams: read(env, V.BATCH_SIZE),
    simulateWorkMs: read(env, V.SIMULATE_WORK_MS),
    simulateFaultRate: read(env, V.SIMULATE_FAULT_RATE),
    queueMode: read(env, env[V.QUEUE_MODE.name] === undefined ? V.USE_QUEUE : V.QUEUE_MODE) ?? false,
    nodeName: read(env, V.NODE_NAME) ?? hostname(),
    queueBackend: read(env, V.QUEUE_BACKEND),
    runId: read(env, V.RUN_ID),
    namespace: read(env, V.QUEUE_NAMESPACE),
    redisUrl: redisUrlFrom(env),
    amqpUrl: amqpUrlFrom(env),
    rabbitmqHeartbeatSeconds: read(env, V.RABBITMQ_HEARTBEAT_SECONDS),
    idleNoticeEveryMs: read(env, V.IDLE_TIMEOUT_SECONDS) * 1000,
    staleCheckIntervalMs: read(env, V.STALE_CHECK_INTERVAL_SECONDS) * 1000,
    idleProbeMs: read(env, V.IDLE_PROBE_SECONDS) * 1000,
    staleThresholdMs: read(env, V.STALE_THRESHOLD_MS),
    maxDeliveries: read(env, V.MAX_DELIVERIES),
    maxBatchChunks: read(env, V.MAX_BATCH_CHUNKS),
    retryDelayMs: read(env, V.RETRY_DELAY_MS),
    shutdownGraceMs: read(env, V.SHUTDOWN_GRACE_SECONDS) * 1000,
    publishValues: read(env, V.PUBLISH_VALUES),
    heartbeatMs: read(env, V.HEARTBEAT_SECONDS) * 1000,
    resultsFile: read(env, V.RESULTS_FILE),
    logLevel: read(env, V.LOG_LEVEL),
    logFormat: read(env, V.LOG_FORMAT),
    computeModule: read(env, V.COMPUTE_MODULE),
    computeModuleJs: read(env, V.COMPUTE_MODULE_JS),
    sweepJson: read(env, V.SWEEP_JSON),
    computeCommand: read(env, V.COMPUTE_COMMAND),
    paramRetries: read(env, V.PARAM_RETRIES),
    paramTimeoutMs: optionalSeconds(read(env, V.PARAM_TIMEOUT_SECONDS)),
    metricsPort: read(env, V.METRICS_PORT),
  };
  if (!config.queueMode && Number(config.workerId) >= config.totalWorkers) {
    throw invalidValue(
      "WORKER_ID",
      config.workerId,
      `an integer from 0 to TOTAL_WORKERS-1 (${config.totalWorkers - 1}) in static mode`,
    );
  }
  if (!config.queueMode && !/^\d+$/.test(config.workerId)) {
    throw invalidValue("WORKER_ID", config.workerId, "an integer slice index in static mode");
  }
  return config;
}
