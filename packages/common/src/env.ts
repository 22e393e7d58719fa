/**
 * Small typed readers over an env-like record. Each reader records problems
 * instead of throwing, so a config parser can report every problem at once.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface EnvReader {
  string(name: string, fallback: string): string;
  optionalString(name: string): string | undefined;
  requiredString(name: string, hint: string): string;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  url(name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined;
  /** Records a problem found by the caller's own validation. */
  problem(message: string): void;
  /** Throws one ConfigError listing every problem found so far. */
  done(): void;
}

export function readEnv(service: string, env: Env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  return {
    string: (name, fallback) => raw(name) ?? fallback,
    optionalString: (name) => raw(name),
    requiredString(name, hint) {
      const value = raw(name);
      if (value === undefined) problems.push(`${name} is required: ${hint}`);
      return value ?? "";
    },
    int(name, fallback, { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        problems.push(`${name} must be an integer between ${min} and ${max}, got "${value}"`);
        return fallback;
      }
      return parsed;
    },
    bool(name, fallback) {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (["1", "true", "yes", "on"].includes(value)) return true;
      if (["0", "false", "no", "off"].includes(value)) return false;
      problems.push(`${name} must be true or false, got "${value}"`);
      return fallback;
    },
    oneOf(name, values, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if ((values as readonly string[]).includes(value)) return value as (typeof values)[number];
      problems.push(`${name} must be one of ${values.join(", ")}, got "${value}"`);
      return fallback;
    },
    url(name, fallback, protocols) {
      const value = raw(name) ?? fallback;
      if (value === undefined) return undefined;
      try {
        const parsed = new URL(value);
        if (!protocols.includes(parsed.protocol)) {
          problems.push(`${name} must use ${protocols.join(" or ")}, got "${parsed.protocol}"`);
        }
      } catch {
        problems.push(`${name} must be a URL, got "${value}"`);
      }
      return value;
    },
    problem(message) {
      problems.push(message);
    },
    done() {
      if (problems.length > 0) throw new ConfigError(service, problems);
    },
  };
}
