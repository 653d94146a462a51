// A runbook script's flags read from its yargs parser (the one the script parses with): name,
// values, default and description. Accepted values of a validated flag come from its own
// validation: the flag is handed a bad value and the one-line error says what it expects.
export type FlagDoc = { flag: string; values: string; default: string; description: string };
export type ScriptDoc = { script: string; usage: string; flags: FlagDoc[] };

type Parser = {
  getOptions(): { key: Record<string, unknown>; boolean: string[]; string: string[]; default: Record<string, unknown>; choices: Record<string, unknown[]> };
  parseAsync(): Promise<unknown>;
};
type Internals = { getInternalMethods(): { getUsageInstance(): { getDescriptions(): Record<string, string>; getUsage(): [string, string][] } } };

const BAD = "\u0001bad";

async function acceptedValues(build: ParserFactory, key: string): Promise<string> {
  try {
    await (build([`--${key}`, BAD]) as Parser).parseAsync();
    return "text";
  } catch (error) {
    return /expected (.*)\.$/.exec((error as Error).message)?.[1] ?? "text";
  }
}

/** A script's exported parser builder (demoParser, cleanupParser...): it must not parse by itself. */
export type ParserFactory = (argv: string[]) => object;

export async function scriptDoc(script: string, build: ParserFactory): Promise<ScriptDoc> {
  const parser = build([]) as Parser;
  const o = parser.getOptions();
  const usage = (parser as unknown as Internals).getInternalMethods().getUsageInstance();
  const descriptions = usage.getDescriptions();
  const text = (usage.getUsage()[0]?.[0] ?? "").split("\n\n").slice(1).join("\n\n").trim();
  const flags: FlagDoc[] = [];
  for (const key of Object.keys(o.key)) {
    if (key === "help") continue;
    const choices = o.choices[key];
    const values = choices ? choices.map((c) => `\`${String(c)}\``).join(", ") : o.boolean.includes(key) ? "flag" : o.string.includes(key) ? "text" : await acceptedValues(build, key);
    const def = o.default[key];
    flags.push({
      flag: `--${key}`,
      values,
      default: def === undefined ? "" : o.boolean.includes(key) ? (def ? "on" : "off") : `\`${String(def)}\``,
      description: descriptions[key] ?? "",
    });
  }
  return { script, usage: text, flags };
}
