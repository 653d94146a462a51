// yargs coercions that reject bad values with a one-line message naming the flag.
import type { Parser } from "../config/parsers.ts";
import { UsageError } from "./usage-error.ts";

export function flag<T>(name: string, parser: Parser<T>): (raw: unknown) => T {
  return (raw) => {
    const text = Array.isArray(raw) ? String(raw.at(-1)) : String(raw);
    const value = parser.parse(text);
    if (value === undefined) throw new UsageError(`Invalid --${name} ${JSON.stringify(text)}: expected ${parser.accepts}.`);
    return value;
  };
}

/** yargs' own messages (bad choice, unknown flag) as one line, in the form of ours. */
export function oneLineUsageMessage(message: string): string {
  const choice = /Argument: (\S+), Given: "(.*?)", Choices: (.*)/.exec(message);
  if (choice) {
    const [, name, given, choices = ""] = choice;
    return `Invalid --${name} ${JSON.stringify(given)}: expected one of ${choices.replaceAll('"', "")}.`;
  }
  return message.replace(/\s+/g, " ").trim();
}
