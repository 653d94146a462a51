// Loads the function evaluated per parameter: a user's module or the built-in simulation.
import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import { blockFor, simulatedValue } from "./simulated.ts";

export type ComputeFunction = (paramId: number) => number | Promise<number>;

export type ComputeSpec = { module: string | undefined; simulateWorkMs: number };

export function simulatedCompute(workMs: number): ComputeFunction {
  return (paramId) => {
    blockFor(workMs);
    return simulatedValue(paramId);
  };
}

export async function loadComputeFunction(spec: ComputeSpec): Promise<ComputeFunction> {
  if (spec.module === undefined) return simulatedCompute(spec.simulateWorkMs);
  const path = isAbsolute(spec.module) ? spec.module : resolve(process.cwd(), spec.module);
  let mod: { compute?: unknown; default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (cause) {
    throw new Error(`Cannot load COMPUTE_MODULE ${spec.module}: ${(cause as Error).message}`, { cause });
  }
  const fn = mod.compute ?? mod.default;
  if (typeof fn !== "function") {
    throw new Error(`Cannot use COMPUTE_MODULE ${spec.module}: it must export a function compute(paramId).`);
  }
  return fn as ComputeFunction;
}
