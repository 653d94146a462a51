// The crash sandbox's child process: reads its job on stdin, loads the compute module, and
// evaluates the job's parameters in order, reporting each one on fd 3 before the next begins
// (lib/compute/sandbox-protocol.ts). If a parameter kills this process, its parent knows which.
import { writeSync } from "node:fs";
import { loadComputeFunction } from "./compute-function.ts";
import { evaluateParam } from "./evaluate-param.ts";
import { isTypeScriptPath, registerTypeScript } from "./typescript-support.ts";
import { REPORT_FD, formatLine, type SandboxJob, type SandboxLine } from "./sandbox-protocol.ts";

function report(line: SandboxLine): void {
  const bytes = Buffer.from(formatLine(line));
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(REPORT_FD, bytes, at);
    } catch (error) {
      // A full pipe on a non-blocking descriptor: the parent is reading; try again.
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}

async function readJob(): Promise<SandboxJob> {
  let text = "";
  for await (const piece of process.stdin) text += String(piece);
  return JSON.parse(text) as SandboxJob;
}

/** `tsxReady`: the entry registered TypeScript support already (or the runtime has it). */
export async function runSandboxChild(options: { tsxReady: boolean }): Promise<void> {
  const job = await readJob();
  if (!options.tsxReady && isTypeScriptPath(job.module)) await registerTypeScript();
  const compute = await loadComputeFunction(job);
  report({ kind: "ready" });
  for (const range of job.ranges) {
    for (let p = range.start; p < range.end; p++) {
      const outcome = await evaluateParam(compute, p, job.paramRetries);
      report(typeof outcome === "number" ? { kind: "value", param: p, value: outcome } : { kind: "failed", failure: outcome });
    }
  }
  report({ kind: "done" });
  // The compute may have left timers or handles behind: the job is done.
  process.exit(0);
}
