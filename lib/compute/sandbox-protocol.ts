// The crash sandbox's line protocol (lib/compute/compute-sandbox.ts): the job goes to the child
// on stdin as one JSON object; the child answers on file descriptor 3, one line per parameter,
// written synchronously before it evaluates the next one, so the line of every parameter it
// finished is in the pipe even when the next one kills it. stdout and stderr stay the compute's.
import type { Sweep } from "../sweep-def/sweep-space.ts";
import type { Range } from "./compute-protocol.ts";
import { isParamFailure, type ParamFailure } from "./param-failure.ts";

export type SandboxJob = { module: string | undefined; simulateWorkMs: number; sweep?: Sweep; command?: string; paramRetries: number; ranges: Range[] };

export const REPORT_FD = 3;

/** A line of the child: the module is loaded, a parameter's value or failure, or the job is done. */
export type SandboxLine = { kind: "ready" } | { kind: "done" } | { kind: "value"; param: number; value: number } | { kind: "failed"; failure: ParamFailure };

export function formatLine(line: SandboxLine): string {
  switch (line.kind) {
    case "ready":
    case "done":
      return `${line.kind}\n`;
    case "value":
      // String(number) reads back as the same double.
      return `v ${line.param} ${line.value}\n`;
    case "failed":
      return `f ${JSON.stringify(line.failure)}\n`;
  }
}

/** The line, or undefined when it is not one of the protocol's. */
export function parseLine(text: string): SandboxLine | undefined {
  if (text === "ready" || text === "done") return { kind: text };
  if (text.startsWith("v ")) {
    const [, param, value] = text.split(" ");
    const p = Number(param);
    const v = Number(value);
    return Number.isSafeInteger(p) && Number.isFinite(v) ? { kind: "value", param: p, value: v } : undefined;
  }
  if (text.startsWith("f ")) {
    try {
      const failure: unknown = JSON.parse(text.slice(2));
      return isParamFailure(failure) ? { kind: "failed", failure } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
