// The compute settings of a worker, as the compute thread and the crash sandbox take them.
import type { EngineOptions } from "../lib/compute/compute-engine.ts";
import { sweepFromJson } from "../lib/sweep-def/sweep-json.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";

export function engineOptions(config: WorkerConfig): EngineOptions {
  const options: EngineOptions = { module: config.computeModule, simulateWorkMs: config.simulateWorkMs, paramRetries: config.paramRetries };
  const sweep = sweepFromJson(config.sweepJson);
  if (sweep) options.sweep = sweep;
  if (config.computeCommand) options.command = config.computeCommand;
  if (config.computeModuleJs && config.computeModule) options.compiledModule = config.computeModuleJs;
  if (config.paramTimeoutMs !== undefined) options.paramTimeoutMs = config.paramTimeoutMs;
  return options;
}
