// Points listed one per row: a CSV with a header of axis names, or JSONL with one object a line.
import { readFileSync } from "node:fs";
import { BadInput } from "../script/bad-input.ts";
import type { AxisValue } from "./axis-values.ts";

export type PointRows = { names: string[]; rows: AxisValue[][] };

export function readPoints(path: string): PointRows {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new BadInput(`Cannot read points file ${path}: ${(cause as Error).message}; the path is relative to the sweep file.`, { cause });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const parsed = /\.jsonl$/i.test(path) ? jsonlPoints(lines, path) : csvPoints(lines, path);
  if (parsed.rows.length === 0) throw new BadInput(`Cannot use points file ${path}: it has no points; add one row per point.`);
  return parsed;
}

function csvPoints(lines: string[], path: string): PointRows {
  const names = (lines[0] ?? "").split(",").map((n) => n.trim());
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length !== names.length) throw new BadInput(`Cannot use points file ${path}: line ${i + 2} has ${cells.length} values for ${names.length} columns; give one value per column.`);
    return cells.map(scalarOf);
  });
  return { names, rows };
}

function jsonlPoints(lines: string[], path: string): PointRows {
  const objects = lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, AxisValue>;
    } catch {
      throw new BadInput(`Cannot use points file ${path}: line ${i + 1} is not JSON; write one object per line.`);
    }
  });
  const names = Object.keys(objects[0] ?? {});
  const rows = objects.map((o, i) => names.map((n) => {
    const v = o[n];
    if (typeof v !== "number" && typeof v !== "string") throw new BadInput(`Cannot use points file ${path}: line ${i + 1} lacks a number or string ${n}; give every axis on every line.`);
    return v;
  }));
  return { names, rows };
}

function scalarOf(cell: string): AxisValue {
  const n = Number(cell);
  return cell !== "" && Number.isFinite(n) ? n : cell;
}
