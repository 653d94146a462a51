// yargs set-up shared by setup.ts, build.ts, recover.ts and cleanup.ts: strict flags,
// one-line errors (exit 2), --dry-run swapping the runner.
import yargs, { type Argv } from "yargs";
import { oneLineUsageMessage } from "../cli/flag-parsers.ts";
import { UsageError } from "../cli/usage-error.ts";
import { chooseShell } from "../shell/dry-runner.ts";
import type { Shell } from "../shell/run.ts";
import { realShell } from "../shell/zx-runner.ts";

export function scriptParser(argv: string[], name: string, usage: string): Argv<{ "dry-run": boolean; verbose: boolean }> {
  return yargs(argv)
    .scriptName(name)
    .usage(`$0 [options]\n\n${usage}`)
    .option("dry-run", { type: "boolean", default: false, describe: "print each command that would change something; change nothing" })
    .option("verbose", { type: "boolean", default: false, describe: "stack traces on errors" })
    // --no-cache is a flag of its own (seed runbook), not the negation of --cache.
    .parserConfiguration({ "boolean-negation": false })
    .strict()
    .help()
    .version(false)
    .wrap(100)
    .fail((message, error) => {
      throw error instanceof UsageError ? error : new UsageError(oneLineUsageMessage(message ?? error?.message ?? "invalid arguments"));
    });
}

export function scriptShell(dryRun: boolean, out: { write(s: string): unknown } = process.stdout): Shell {
  return chooseShell(realShell, dryRun, (line) => out.write(`${line}\n`));
}

export function printer(out: { write(s: string): unknown } = process.stdout): (line: string) => void {
  return (line) => void out.write(`${line}\n`);
}
