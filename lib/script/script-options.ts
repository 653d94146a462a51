// Flags shared by setup.ts, build.ts, recover.ts and cleanup.ts on top of the project's script
// parser: --dry-run (swaps the runner) and --verbose.
import { scriptParser } from "./script-parser.ts";
import { chooseShell } from "../shell/dry-runner.ts";
import type { Shell } from "../shell/run.ts";
import { realShell } from "../shell/zx-runner.ts";

/** scriptParser plus --dry-run and --verbose, for the scripts that run commands (see scriptShell). */
export function shellScriptParser(argv: string[], name: string, usage: string) {
  return (
    scriptParser(argv, name, usage)
      // --no-cache is a flag of its own (as in the original's build script), not the negation of --cache.
      .parserConfiguration({ "camel-case-expansion": false, "boolean-negation": false })
      .option("dry-run", { type: "boolean", default: false, describe: "print each command that would change something; change nothing" })
      .option("verbose", { type: "boolean", default: false, describe: "stack traces on errors" })
  );
}

export function scriptShell(dryRun: boolean, out: { write(s: string): unknown } = process.stdout): Shell {
  return chooseShell(realShell, dryRun, (line) => out.write(`${line}\n`));
}

export function printer(out: { write(s: string): unknown } = process.stdout): (line: string) => void {
  return (line) => void out.write(`${line}\n`);
}
