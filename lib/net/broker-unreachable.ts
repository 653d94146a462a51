// One line a user can act on when a broker does not answer; bad input (exit 2): the fix is to
// start the broker or point the variable at a running one.
import { BadInput } from "../script/bad-input.ts";
import { redactUrl } from "./redact-url.ts";

export class BrokerUnreachable extends BadInput {}

export function brokerUnreachable(what: string, variable: string, url: string, cause: unknown): BrokerUnreachable {
  const why = (cause as Error)?.message ?? String(cause);
  return new BrokerUnreachable(`Cannot reach ${what} at ${redactUrl(url)}: ${why}. Start it or point ${variable} at a running one.`, { cause });
}
