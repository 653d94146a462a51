// A configuration value a user can fix: the message names the setting and what it accepts.
import { BadInput } from "../script/bad-input.ts";

export class ConfigError extends BadInput {
  readonly setting: string;
  constructor(setting: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.setting = setting;
  }
}

export function invalidValue(setting: string, raw: string, accepts: string): ConfigError {
  return new ConfigError(setting, `Invalid ${setting}=${JSON.stringify(raw)}: expected ${accepts}.`);
}
