// From a sweep file on disk (YAML or JSON; points from CSV or JSONL beside it) to the resolved
// Sweep (SWEEP_JSON, what a worker is given, is sweep-json.ts).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BadInput } from "../script/bad-input.ts";
import type { AxisValue } from "./axis-values.ts";
import type { Sweep } from "./sweep-space.ts";

/**
 * The sweep a file describes. Its parsers (yaml, the zod schema, csv-parse: ~110 modules, ~0.2 s of
 * a script's start) load only when a sweep file is given, not for every run and --help.
 */
export async function readSweepFile(path: string): Promise<Sweep> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new BadInput(`Cannot read sweep file ${path}: ${(cause as Error).message}; give the path of a YAML or JSON file.`, { cause });
  }
  const [{ parse: parseYaml }, { axisSpecOf, validateSweepFile }, { readPoints }] = await Promise.all([import("yaml"), import("./sweep-schema.ts"), import("./points-file.ts")]);
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (cause) {
    throw new BadInput(`Cannot parse sweep file ${path}: ${(cause as Error).message.split("\n")[0]}; fix its syntax.`, { cause });
  }
  const file = validateSweepFile(raw, path);
  if (file.points !== undefined) return { mode: "points", ...readPoints(resolve(dirname(path), file.points)) };
  const axes = Object.entries(file.axes ?? {}).map(([name, axis]) => [name, axisSpecOf(axis)] as const);
  if (file.mode === "random") return { mode: "random", axes, samples: file.samples ?? 1, seed: file.seed };
  return { mode: "grid", axes };
}

export type { AxisValue };
