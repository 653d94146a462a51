// The yargs setup every runbook script shares: strict flags, --help, and one-line errors (exit 2).
import yargs from "yargs";
import { oneLineUsageMessage } from "./flag-parsers.ts";
import { UsageError } from "./usage-error.ts";

export function scriptParser(argv: string[], name: string, usage: string) {
  return yargs(argv)
    .scriptName(name)
    .usage(`$0 [options]\n\n${usage}`)
    .parserConfiguration({ "camel-case-expansion": false })
    .strict()
    .help()
    .version(false)
    .wrap(100)
    .fail((message, error) => {
      throw error instanceof UsageError
        ? error
        : new UsageError(oneLineUsageMessage(message ?? error?.message ?? "invalid arguments"));
    });
}
