import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, readEnv, type Env } from "@commerce/common";

const SERVICE = "router";
const NODE_ENVS = ["development", "test", "production"] as const;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** Studio's hosted Sandbox calls the router from this origin; the embedded Sandbox is same-origin. */
export const STUDIO_ORIGIN = "https://studio.apollographql.com";
/** `SUBGRAPH_<NAME>_URL`: <NAME> is the subgraph's name upper-cased, every other character replaced by `_`. */
const SUBGRAPH_URL_VAR = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

/** The repo's composed supergraph, found from this file so it works from both src/ and dist/. */
export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL("../../schema/supergraph.graphql", import.meta.url));

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RouterConfig {
  /** `production` turns introspection and the Sandbox landing page off. */
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  /** Absolute path of the supergraph SDL the gateway serves (and watches). */
  readonly supergraphPath: string;
  /** Subgraph URL overrides keyed by the env name of the subgraph (`ACCOUNTS` for `SUBGRAPH_ACCOUNTS_URL`). */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly maxQueryDepth: number;
  /** Browser origins allowed by CORS; `*` allows any. */
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
}

/** Parses the router's environment once. Throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): RouterConfig {
  const read = readEnv(SERVICE, env);
  const problems: string[] = [];
  const nodeEnv = read.oneOf("NODE_ENV", NODE_ENVS, "development");
  const supergraphPath = resolve(read.string("SUPERGRAPH_PATH", DEFAULT_SUPERGRAPH_PATH));

  const subgraphUrls: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const match = SUBGRAPH_URL_VAR.exec(name);
    if (!match?.[1]) continue;
    const url = read.url(name, undefined, ["http:", "https:"]);
    if (url !== undefined) subgraphUrls[match[1]] = url;
  }

  const rawOrigins = read.optionalString("CORS_ORIGINS");
  const corsOrigins = rawOrigins === undefined ? (nodeEnv === "production" ? [] : [STUDIO_ORIGIN]) : parseOrigins(rawOrigins, problems);

  const config: RouterConfig = {
    nodeEnv,
    host: read.string("HOST", "0.0.0.0"),
    port: read.int("PORT", 4000, { min: 0, max: 65_535 }),
    supergraphPath,
    subgraphUrls: Object.freeze(subgraphUrls),
    maxQueryDepth: read.int("MAX_QUERY_DEPTH", 12, { min: 1, max: 1_000 }),
    corsOrigins: Object.freeze(corsOrigins),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
  };

  try {
    read.done();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0) throw new ConfigError(SERVICE, problems);
  return Object.freeze(config);
}

function parseOrigins(raw: string, problems: string[]): string[] {
  const origins = raw
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.origin !== origin) {
      problems.push(`CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (or *), got "${origin}"`);
    }
  }
  return origins;
}
