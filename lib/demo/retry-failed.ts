// demo.ts --retry-failed RUN_ID: evaluate again only the parameters a finished run recorded as
// failed (report.json `failedParams`, SPEC §9), after the user fixed the function, then rewrite
// the report and the results file.
//
// Not finished: re-evaluating needs the per-parameter failure records of SPEC §9 (results-file
// records of failed parameters, params.failed) that are being built beside this. Until then this
// reads and checks the run's failed parameters, says when there are none, and names what is missing.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BadInput } from "../script/bad-input.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { reportDir } from "../report/write-report.ts";
import type { DemoOptions } from "./demo-options.ts";

export type FailedParam = { param: number; cause: "error" | "timeout" | "crash"; error: string; attempts: number };

/** The failed parameters a report lists (none when the field is absent: the run had none). */
export function failedParamsOf(report: Record<string, unknown>, path: string): FailedParam[] {
  const field = report.failedParams;
  if (field === undefined) return [];
  if (!Array.isArray(field) || field.some((f) => !Number.isSafeInteger((f as FailedParam)?.param))) {
    throw new BadInput(`Cannot retry the failed parameters: ${path} has a failedParams that is not a list of {param, cause, error, attempts}.`);
  }
  return field as FailedParam[];
}

export async function retryFailedParams(given: DemoOptions, runId: string, print: (line: string) => void): Promise<number> {
  const path = join(reportDir(given.reportsDir, runId), "report.json");
  const text = await readFile(path, "utf8").catch(() => {
    throw new BadInput(`Cannot retry the failed parameters of run ${runId}: ${path} does not exist (the run never finished with these --reports); an interrupted run is finished with --resume ${runId}.`);
  });
  const report = JSON.parse(text) as Record<string, unknown> & { verdict?: "pass" | "fail" };
  const failed = failedParamsOf(report, path);
  if (failed.length === 0) {
    print(`Run ${runId} has no failed parameters: nothing to retry (its report says ${String(report.verdict ?? "?").toUpperCase()}).`);
    print(path);
    return exitCodeForVerdict(report.verdict === "pass" ? "pass" : "fail");
  }
  print(`Run ${runId} has ${failed.length} failed parameter(s): ${failed.slice(0, 5).map((f) => `${f.param} (${f.cause})`).join(", ")}${failed.length > 5 ? ", ..." : ""}`);
  print(`Cannot retry them yet: evaluating single parameters again and rewriting their records needs the per-parameter failure records of SPEC §9, not in this version.`);
  return EXIT_CODES.failed;
}
