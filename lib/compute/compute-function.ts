// Loads the function evaluated per parameter: a user's module or the built-in simulation.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import { blockFor, simulatedValue } from "./simulated.ts";
import { commandCompute, type OnCommandStart } from "./command-compute.ts";
import { sweepSpace, type Point, type Sweep } from "../sweep-def/sweep-space.ts";

export type ComputeFunction = (paramId: number) => number | Promise<number>;

/** With a sweep, a module's function is called compute(point, id); without one, compute(id). */
export type ModuleFunction = ((paramId: number) => number | Promise<number>) | ((point: Point, paramId: number) => number | Promise<number>);

/** command: COMPUTE_COMMAND, a program speaking the line protocol (lib/compute/command-child.ts). */
export type ComputeSpec = { module: string | undefined; compiledModule?: string | undefined; simulateWorkMs: number; sweep?: Sweep | undefined; command?: string | undefined };

/** The sweep field of a spec, left out when there is none (exactOptionalPropertyTypes). */
export function sweepOf(spec: { sweep?: Sweep | undefined; command?: string | undefined }): { sweep?: Sweep; command?: string } {
  return { ...(spec.sweep ? { sweep: spec.sweep } : {}), ...(spec.command ? { command: spec.command } : {}) };
}

export function simulatedCompute(workMs: number): ComputeFunction {
  return (paramId) => {
    blockFor(workMs);
    return simulatedValue(paramId);
  };
}

/** The loader's error in one line: no such file, or a syntax error with where it is. */
function describeLoadError(cause: unknown, path: string): string {
  if (!existsSync(path)) return `there is no file ${path}`;
  const message = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0] ?? "";
  const where = cause instanceof SyntaxError ? syntaxErrorPlace(path) : undefined;
  return where ? `${message} at ${where}` : message;
}

/** "file.mjs:3" for a JavaScript file with a syntax error (Node's import error does not say where). */
function syntaxErrorPlace(path: string): string | undefined {
  if (!/\.[cm]?js$/i.test(path) || (process.versions as Record<string, string | undefined>).deno !== undefined) return undefined;
  const check = spawnSync(process.execPath, ["--check", path], { encoding: "utf8", timeout: 10_000 });
  const first = check.stderr?.split("\n")[0]?.trim();
  return first && /:\d+$/.test(first) ? first : undefined;
}

/** onCommandStart: each COMPUTE_COMMAND program started (its pid, for whoever must stop it, and when it has started up). */
export async function loadComputeFunction(spec: ComputeSpec, onCommandStart: OnCommandStart = () => {}): Promise<ComputeFunction> {
  if (spec.command) return commandCompute(spec.command, spec.sweep ? sweepSpace(spec.sweep).pointOf : undefined, onCommandStart);
  if (spec.module === undefined) return simulatedCompute(spec.simulateWorkMs);
  const source = isAbsolute(spec.module) ? spec.module : resolve(process.cwd(), spec.module);
  // COMPUTE_MODULE_JS: its JavaScript build, while it is there; errors still name the module.
  const path = spec.compiledModule && existsSync(spec.compiledModule) ? spec.compiledModule : source;
  let mod: { compute?: unknown; default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (cause) {
    throw new Error(`Cannot load COMPUTE_MODULE ${spec.module}: ${describeLoadError(cause, source)}`, { cause });
  }
  const fn = mod.compute ?? mod.default;
  if (typeof fn !== "function") {
    throw new Error(`Cannot use COMPUTE_MODULE ${spec.module}: it must export a function ${spec.sweep ? "compute(point, paramId)" : "compute(paramId)"}.`);
  }
  if (!spec.sweep) return fn as ComputeFunction;
  const { pointOf } = sweepSpace(spec.sweep);
  const withPoint = fn as (point: Point, paramId: number) => number | Promise<number>;
  return (paramId) => withPoint(pointOf(paramId), paramId);
}
