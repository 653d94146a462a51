// A configuration value a user can fix: the message names the setting and what it accepts.
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
    this.setting = setting;
  }
}

export function invalidValue(setting: string, raw: string, accepts: string): ConfigError {
  return new ConfigError(setting, `Invalid ${setting}=${JSON.stringify(raw)}: expected ${accepts}.`);
}
