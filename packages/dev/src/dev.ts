// npm run dev — everything a newcomer needs, from nothing but Node and npm.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createDb, migrate, seed } from "@commerce/db";
import {
  freePort,
  installRedisServerWithApt,
  isPortFree,
  startEmbeddedPostgres,
  startRedisServer,
  type PostgresHandle,
  type RedisHandle,
} from "@commerce/stack";
import { generatedServiceKeys, serviceIdentityEnv, subgraphUrlVariable } from "@commerce/start";
import { loadDevConfig, repoRoot } from "./config.js";
import { startDevLoop, type DevLoop } from "./loop.js";

const log = (line: string) => console.log(`[dev] ${line}`);
const config = loadDevConfig();
let postgres: PostgresHandle | undefined;
let redis: RedisHandle | undefined;
let loop: DevLoop | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log("stopping…");
    await loop?.stop();
    await redis?.stop();
    await postgres?.stop();
    log("stopped");
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  if (!(await isPortFree(config.port, config.host))) {
    throw new Error(
      `port ${config.port} is already in use (another \`npm run dev\`?). Stop it, or set PORT to another port.`,
    );
  }
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    postgres = await startEmbeddedPostgres({ dataDir: join(config.dataDir, "postgres") });
    databaseUrl = postgres.url;
    log(`embedded Postgres ready at ${databaseUrl} (data: ${postgres.dataDir})`);
  } else {
    log(`using Postgres from DATABASE_URL`);
  }
  const migrated = await migrate(databaseUrl, { log });
  log(`migrations up to date (${migrated.applied.length} applied now, ${migrated.alreadyApplied} before)`);
  const db = createDb(databaseUrl, { poolSize: 2 });
  const seeded = await seed(db);
  await db.$disconnect();
  log(`seed: ${JSON.stringify(seeded.inserted)} rows inserted (existing rows kept)`);

  let redisUrl = config.redisUrl;
  if (redisUrl) log("using Redis from REDIS_URL");
  else if (installRedisServerWithApt(log)) {
    redis = await startRedisServer({ dataDir: join(config.dataDir, "redis"), persistent: true });
    redisUrl = redis.url;
    log(`redis-server ready at ${redisUrl}`);
  } else {
    log(
      "redis-server not found on PATH and REDIS_URL unset: each service caches in process, and order events wait in the orders outbox (no loyalty credits) until Redis is there. Install redis-server (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) and restart.",
    );
  }

  // Fresh secrets per run: subgraphs answer only requests the router signed with its secret, and the catalog also
  // those orders and reviews signed with their own keys (SERVICE_SECRET, trusted in its TRUSTED_SERVICES).
  const env = {
    ...config.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    ROUTER_SECRET: randomBytes(32).toString("hex"),
  };
  // Each subgraph on its own port (the one in schema/subgraphs.json and supergraph.yaml) when it is free, else on
  // any free port. Every subgraph gets every subgraph's URL, as the router does (orders reads the catalog directly).
  const subgraphs: { name: string; dir: string; port: number; env?: Record<string, string> }[] = [];
  const identities = serviceIdentityEnv(generatedServiceKeys());
  for (const subgraph of config.subgraphs) {
    const port = (await isPortFree(subgraph.port, "127.0.0.1")) ? subgraph.port : await freePort();
    if (port !== subgraph.port) log(`${subgraph.name}: port ${subgraph.port} is taken, using ${port}`);
    subgraphs.push({ ...subgraph, port, env: identities[subgraph.name] });
  }
  const subgraphUrls: Record<string, string> = {};
  for (const { name, port } of subgraphs) subgraphUrls[subgraphUrlVariable(name)] = `http://127.0.0.1:${port}/graphql`;
  loop = await startDevLoop({
    subgraphs,
    router: { dir: join(repoRoot, "router"), port: config.port, host: config.host },
    env: { ...env, ...subgraphUrls },
    supergraphPath: config.supergraphPath,
    fallbackSupergraphPath: join(repoRoot, "schema", "supergraph.graphql"),
    workspaceRoot: repoRoot,
    log,
  });
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  log(`Commerce Supergraph is running: http://${shownHost}:${config.port}/graphql  (Ctrl-C stops everything)`);
  log("watching: a code change restarts the services that use it, a schema.graphql change recomposes the supergraph");
} catch (error) {
  console.error(`[dev] start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
