// Value parsers shared by worker variables and runbook flags. Each returns
// undefined for a value it does not accept; the caller names what it accepts.

export type Parser<T> = { parse: (raw: string) => T | undefined; accepts: string };

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const accepts =
    max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return {
    accepts,
    parse(raw) {
      if (!/^[+-]?\d+$/.test(raw.trim())) return undefined;
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

export function decimal(min: number, max = Number.POSITIVE_INFINITY): Parser<number> {
  const accepts =
    max === Number.POSITIVE_INFINITY ? `a number >= ${min}` : `a number from ${min} to ${max}`;
  return {
    accepts,
    parse(raw) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) return undefined;
      const n = Number(raw);
      return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

export function boolean(): Parser<boolean> {
  const truthy = new Set(["true", "1", "yes", "on"]);
  const falsy = new Set(["false", "0", "no", "off", ""]);
  return {
    accepts: "true or false",
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (truthy.has(v)) return true;
      if (falsy.has(v)) return false;
      return undefined;
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[], aliases: Record<string, T> = {}): Parser<T> {
  return {
    accepts: `one of ${values.join(", ")}`,
    parse(raw) {
      const v = raw.trim();
      const lower = v.toLowerCase();
      const upper = v.toUpperCase();
      for (const candidate of [v, lower, upper]) {
        if ((values as readonly string[]).includes(candidate)) return candidate as T;
        if (aliases[candidate] !== undefined) return aliases[candidate];
      }
      return undefined;
    },
  };
}

export function text(pattern: RegExp = /^.*$/s, accepts = "any text"): Parser<string> {
  return { accepts, parse: (raw) => (pattern.test(raw) ? raw : undefined) };
}

export function optionalText(): Parser<string | undefined> {
  return { accepts: "any text (optional)", parse: (raw) => (raw === "" ? undefined : raw) };
}
