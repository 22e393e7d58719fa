import { pino, type Logger } from "pino";

export type { Logger };

/** Fields added to every line of every logger, e.g. the active trace id (registered by @commerce/telemetry). */
export type LogContext = () => Record<string, unknown> | undefined;

const contexts: LogContext[] = [];

/** Adds `fields()` to every log line written from now on (idempotent per function). */
export function addLogContext(fields: LogContext): void {
  if (!contexts.includes(fields)) contexts.push(fields);
}

function mixin(): Record<string, unknown> {
  if (contexts.length === 0) return {};
  const merged: Record<string, unknown> = {};
  for (const fields of contexts) Object.assign(merged, fields());
  return merged;
}

/** Never logged: credentials, tokens, cookies, connection strings (they carry passwords) and GraphQL variables. */
export const REDACTED_PATHS: readonly string[] = [
  ...[
    "password",
    "newPassword",
    "currentPassword",
    "token",
    "accessToken",
    "refreshToken",
    "secret",
    "jwtSecret",
    "apiKey",
    "apolloKey",
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...["authorization", "cookie", '["set-cookie"]', '["x-api-key"]', '["apollo-key"]'].flatMap((header) =>
    [`headers${header.startsWith("[") ? header : `.${header}`}`].flatMap((path) => [path, `*.${path}`, `*.*.${path}`]),
  ),
  "authorization",
  "*.authorization",
  ...["databaseUrl", "redisUrl", "variables"].flatMap((key) => [key, `*.${key}`]),
];

/** JSON logs on stdout; `LOG_LEVEL` picks the level. Secrets are redacted by path. */
export function createLogger(service: string, level = "info", destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin,
    redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
