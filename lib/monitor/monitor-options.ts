// monitor.ts flags, built without parsing so the script and the generated configuration
// reference (lib/docs/config-reference.ts) read the same definitions.
import { flag } from "../cli/flag-parsers.ts";
import { scriptParser } from "../cli/script-parser.ts";
import { decimal } from "../config/parsers.ts";

export function monitorParser(argv: string[]) {
  return scriptParser(argv, "monitor.ts", "Shows a run's chunks done, waiting, in flight per worker, dead letters, throughput and ETA.")
    .option("backend", { choices: ["redis", "rabbitmq"] as const, default: "redis" as const, describe: "queue backend" })
    .option("run-id", { type: "string", describe: "run to show (default on redis: the newest)" })
    .option("watch", { coerce: flag("watch", decimal(0.2, 3600)), describe: "refresh every N seconds until the run settles" })
    .option("json", { type: "boolean", default: false, describe: "one JSON object per reading" });
}
