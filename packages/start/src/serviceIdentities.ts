import { randomBytes } from "node:crypto";

/**
 * The services that call another subgraph under their own identity, each with the subgraph it calls: orders and
 * reviews read the catalog (products by key).
 */
export const SERVICE_CALLERS: Readonly<Record<string, string>> = Object.freeze({
  orders: "catalog",
  reviews: "catalog",
});

/** `ORDERS_SERVICE_SECRET`: where a launcher with one environment for every service reads a caller's key. */
export function serviceSecretVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_SERVICE_SECRET`;
}

/**
 * Each service's own environment for service-to-service identity, from one key per caller (by name): a caller's
 * `SERVICE_SECRET` (its key), a callee's `TRUSTED_SERVICES` (`<caller>:<key>,…`). Services without a part are absent.
 */
export function serviceIdentityEnv(keys: Readonly<Record<string, string>>): Record<string, Record<string, string>> {
  const env: Record<string, Record<string, string>> = {};
  const trusted: Record<string, string[]> = {};
  for (const [caller, callee] of Object.entries(SERVICE_CALLERS)) {
    const key = keys[caller];
    if (key === undefined) continue;
    env[caller] = { ...env[caller], SERVICE_SECRET: key };
    (trusted[callee] ??= []).push(`${caller}:${key}`);
  }
  for (const [callee, entries] of Object.entries(trusted))
    env[callee] = { ...env[callee], TRUSTED_SERVICES: entries.join(",") };
  return env;
}

/** A fresh random key (32 bytes, hex) for every caller: for launchers that make their own secrets (dev, tests). */
export function generatedServiceKeys(): Record<string, string> {
  return Object.fromEntries(Object.keys(SERVICE_CALLERS).map((name) => [name, randomBytes(32).toString("hex")]));
}
