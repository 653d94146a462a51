// Points listed one per row: a CSV with a header of axis names (RFC 4180, read by csv-parse:
// quoted cells may hold commas, quotes and line breaks; CRLF and a UTF-8 BOM are fine), or JSONL
// with one object a line.
import { readFileSync } from "node:fs";
import { CsvError, parse } from "csv-parse/sync";
import { BadInput } from "../script/bad-input.ts";
import type { AxisValue } from "./axis-values.ts";
import { axisNameProblem } from "./axis-names.ts";

export type PointRows = { names: string[]; rows: AxisValue[][] };

export function readPoints(path: string): PointRows {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new BadInput(`Cannot read points file ${path}: ${(cause as Error).message}; the path is relative to the sweep file.`, { cause });
  }
  const parsed = /\.jsonl$/i.test(path) ? jsonlPoints(text, path) : csvPoints(text, path);
  for (const name of parsed.names) {
    const problem = axisNameProblem(name);
    if (problem) throw new BadInput(`Cannot use points file ${path}: column ${JSON.stringify(name)}: ${problem}; rename it.`);
  }
  if (new Set(parsed.names).size !== parsed.names.length) throw new BadInput(`Cannot use points file ${path}: its header names an axis twice; give each column its own name.`);
  if (parsed.rows.length === 0) throw new BadInput(`Cannot use points file ${path}: it has no points; add one row per point.`);
  return parsed;
}

/** An unquoted cell that reads as a number is a number; a quoted cell stays the text it holds. */
function cellOf(cell: string, quoted: boolean): AxisValue {
  if (quoted) return cell;
  const n = Number(cell);
  return cell !== "" && Number.isFinite(n) ? n : cell;
}

/** A CSV record with the line it ends on (csv-parse's `info` option). */
type CellsAt = { record: AxisValue[]; info: { lines: number } };

function csvPoints(text: string, path: string): PointRows {
  let records: CellsAt[];
  try {
    // Row lengths are checked below, to name the line and both counts in the user's terms.
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, cast: (cell, ctx) => (ctx.header ? cell : cellOf(cell, ctx.quoting)) }) as unknown as CellsAt[]; // info: true gives {record, info}; the typings do not say so
  } catch (cause) {
    const at = cause instanceof CsvError ? `line ${String(cause.lines)}: ` : "";
    throw new BadInput(`Cannot use points file ${path}: ${at}${(cause as Error).message}; quote a cell that holds a comma, a quote ("" inside quotes) or a line break.`, { cause });
  }
  const [header, ...rest] = records;
  const names = (header?.record ?? []).map(String);
  const rows = rest.map(({ record, info }, i) => {
    if (record.length !== names.length) {
      throw new BadInput(`Cannot use points file ${path}: line ${info.lines} (point ${i + 1}) has ${record.length} values for ${names.length} columns; give one value per column (quote a value that holds a comma: "a, b").`);
    }
    return record;
  });
  return { names, rows };
}

function jsonlPoints(text: string, path: string): PointRows {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const objects: { line: number; point: Record<string, unknown> }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let point: unknown;
    try {
      point = JSON.parse(line);
    } catch {
      throw new BadInput(`Cannot use points file ${path}: line ${i + 1} is not JSON; write one object per line.`);
    }
    if (typeof point !== "object" || point === null || Array.isArray(point)) throw new BadInput(`Cannot use points file ${path}: line ${i + 1} is not a JSON object; write one {"axis": value, ...} per line.`);
    objects.push({ line: i + 1, point: point as Record<string, unknown> });
  });
  const names = Object.keys(objects[0]?.point ?? {});
  const rows = objects.map(({ line, point }) => names.map((n) => {
    const v = point[n];
    if (typeof v !== "number" && typeof v !== "string") throw new BadInput(`Cannot use points file ${path}: line ${line} lacks a number or string ${n}; give every axis on every line.`);
    return v;
  }));
  return { names, rows };
}
