import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface DevConfig {
  /** The environment the services inherit. */
  env: NodeJS.ProcessEnv;
  /** External Postgres; when unset an embedded one runs from `dataDir/postgres`. */
  databaseUrl?: string;
  /** External Redis; when unset a private redis-server runs if one is on PATH. */
  redisUrl?: string;
  host: string;
  /** The router's port. */
  port: number;
  dataDir: string;
  /** Every subgraph of schema/subgraphs.json, with the port it listens on there (and in `npm start`). */
  subgraphs: { name: string; dir: string; port: number }[];
  /** Where the dev loop writes the supergraph it composes (the router serves it). */
  supergraphPath: string;
}

export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const manifest = JSON.parse(readFileSync(join(repoRoot, "schema", "subgraphs.json"), "utf8")) as {
    subgraphs: { name: string; url: string }[];
  };
  const dataDir = resolve(env.DEV_DATA_DIR || join(repoRoot, ".data"));
  return {
    env,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    host: env.HOST || "0.0.0.0",
    port,
    dataDir,
    subgraphs: manifest.subgraphs.map((s) => ({
      name: s.name,
      dir: join(repoRoot, "subgraphs", s.name),
      port: Number(new URL(s.url).port),
    })),
    supergraphPath: join(dataDir, "supergraph.graphql"),
  };
}
