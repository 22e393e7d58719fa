import { pino, type Logger } from "pino";

export type { Logger };

/** JSON logs on stdout; `LOG_LEVEL` picks the level. Secrets are redacted by path. */
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "refreshToken", "*.refreshToken", "authorization", "*.authorization", "headers.authorization"],
      censor: "[redacted]",
    },
  });
}
