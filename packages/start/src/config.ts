import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, readEnv, type Env } from "@commerce/common";
import { SERVICE_CALLERS, serviceIdentityEnv, serviceSecretVariable } from "./serviceIdentities.js";
import { heapSizes } from "./heap.js";

const SERVICE = "start";
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The repository (or image) root, from src/ and dist/ alike. */
export const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * What `SEED` asks for. Production seeds nothing unless asked: `all` is the demo data set with its demo
 * accounts (whose password is published in the README), `catalog` the categories, products and rewards only.
 */
export type SeedMode = "off" | "all" | "catalog";

export interface StartConfig {
  /** The environment the services inherit: each reads its own settings from it. */
  readonly env: Env;
  /** `DATABASE_URL` (required). */
  readonly databaseUrl: string;
  /** `REDIS_URL` (required). */
  readonly redisUrl: string;
  /** `SEED`: `true` → `all`, `catalog`, else `off`. @default "off" */
  readonly seed: SeedMode;
  /** `--workers N` or `ROUTER_WORKERS`: router processes sharing the router's port (node:cluster). @default 1 */
  readonly routerWorkers: number;
  /** How long each service may take to answer `/ready` before start-up fails. `READY_TIMEOUT_SECONDS`. @default 60 */
  readonly readyTimeoutMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** The built router's entry point. */
  readonly routerEntry: string;
  /** `PORT`, where the router (every worker) listens. @default 4000 */
  readonly routerPort: number;
  /** Every subgraph of schema/subgraphs.json: its built entry point and its port on 127.0.0.1. */
  readonly subgraphs: readonly { readonly name: string; readonly entry: string; readonly port: number }[];
  /**
   * Each subgraph's own identity settings, from `ORDERS_SERVICE_SECRET` and `REVIEWS_SERVICE_SECRET` (required):
   * orders' and reviews' `SERVICE_SECRET`, the catalog's `TRUSTED_SERVICES`.
   */
  readonly serviceEnv: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Each service's V8 old-generation cap in MB (`router` and every subgraph's name; each router worker has the
   * router's): `<NAME>_HEAP_MB`, else `NODE_HEAP_MB`, else `HEAP_MB_DEFAULTS`.
   */
  readonly heapMb: Readonly<Record<string, number>>;
}

/** `SUBGRAPH_<NAME>_URL`, the variable the router (and orders, for the catalog) reads a subgraph's URL from. */
export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}

/** Parses `npm start`'s arguments and environment once; every problem is reported in one ConfigError. */
export function loadStartConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
  root = rootDir,
): StartConfig {
  const read = readEnv(SERVICE, env);
  const databaseUrl = read.requiredString(
    "DATABASE_URL",
    "the Postgres URL, e.g. postgresql://user:password@db.internal:5432/commerce",
  );
  if (databaseUrl) read.url("DATABASE_URL", undefined, ["postgres:", "postgresql:"]);
  const redisUrl = read.requiredString(
    "REDIS_URL",
    "the Redis URL, e.g. redis://cache.internal:6379 (rediss:// for TLS)",
  );
  if (redisUrl) read.url("REDIS_URL", undefined, ["redis:", "rediss:"]);
  // The services check these in detail; here only that they are there, before anything touches the database.
  if (!read.optionalString("JWT_SECRET") && !read.optionalString("JWT_JWKS_URL")) {
    read.problem(
      "JWT_SECRET (at least 32 random characters, shared by accounts, the subgraphs and the router) or JWT_JWKS_URL is required",
    );
  }
  if (!read.optionalString("ROUTER_SECRET"))
    read.problem(
      "ROUTER_SECRET is required: at least 32 random characters the router signs its subgraph requests with",
    );
  const serviceKeys: Record<string, string> = {};
  for (const caller of Object.keys(SERVICE_CALLERS)) {
    const name = serviceSecretVariable(caller);
    const key = read.optionalString(name);
    if (key) serviceKeys[caller] = key;
    else
      read.problem(
        `${name} is required: at least 32 random characters ${caller} signs its calls to ${SERVICE_CALLERS[caller]} with, under its own identity`,
      );
  }
  const seedValue = read.optionalString("SEED")?.toLowerCase();
  let seed: SeedMode = "off";
  if (seedValue === "true" || seedValue === "1") seed = "all";
  else if (seedValue === "catalog") seed = "catalog";
  else if (seedValue !== undefined && seedValue !== "false" && seedValue !== "0")
    read.problem(`SEED must be true, catalog or false, got "${seedValue}"`);

  const routerWorkers = parseWorkers(argv, read.optionalString("ROUTER_WORKERS"), read.problem);
  const port = read.int("PORT", 4000, { min: 0, max: 65_535 });
  const readyTimeoutMs = read.int("READY_TIMEOUT_SECONDS", 60, { min: 1, max: 3_600 }) * 1000;
  const logLevel = read.oneOf("LOG_LEVEL", LOG_LEVELS, "info");

  const built = (entry: string) => {
    if (!existsSync(entry)) read.problem(`${entry} does not exist: run \`npm run build\` first`);
    return entry;
  };
  const manifest = JSON.parse(readFileSync(join(root, "schema", "subgraphs.json"), "utf8")) as {
    subgraphs: { name: string; url: string }[];
  };
  const subgraphs = manifest.subgraphs.map(({ name, url }) => ({
    name,
    entry: built(join(root, "subgraphs", name, "dist", "index.js")),
    port: Number(new URL(url).port),
  }));
  const routerEntry = built(join(root, "router", "dist", "index.js"));
  const heapMb = heapSizes(read, ["router", ...subgraphs.map((s) => s.name)]);
  read.done();
  return Object.freeze({
    env,
    databaseUrl,
    redisUrl,
    seed,
    routerWorkers,
    readyTimeoutMs,
    logLevel,
    routerEntry,
    routerPort: port,
    subgraphs: Object.freeze(subgraphs),
    serviceEnv: Object.freeze(serviceIdentityEnv(serviceKeys)),
    heapMb: Object.freeze(heapMb),
  });
}

/** `--workers N` (or `--workers=N`; `auto` = one per CPU) beats `ROUTER_WORKERS`. */
function parseWorkers(
  argv: readonly string[],
  fromEnv: string | undefined,
  problem: (message: string) => void,
): number {
  let raw = fromEnv;
  let source = "ROUTER_WORKERS";
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === "--workers") {
      raw = argv[i + 1];
      source = "--workers";
      i += 1;
    } else if (arg.startsWith("--workers=")) {
      raw = arg.slice("--workers=".length);
      source = "--workers";
    } else {
      problem(`unknown argument "${arg}" (npm start accepts --workers N)`);
    }
  }
  if (raw === undefined) return 1;
  if (raw === "auto") return availableParallelism();
  const workers = Number(raw);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    problem(`${source} must be a whole number from 1 to 256 or "auto", got "${raw}"`);
    return 1;
  }
  return workers;
}

export { ConfigError };
