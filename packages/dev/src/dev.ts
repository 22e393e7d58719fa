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
import { stopService, subgraphUrlVariable, waitReady, type Service } from "@commerce/start";
import { loadDevConfig, repoRoot } from "./config.js";
import { startDevService } from "./services.js";

const log = (line: string) => console.log(`[dev] ${line}`);
const config = loadDevConfig();
let postgres: PostgresHandle | undefined;
let redis: RedisHandle | undefined;
const services: Service[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log("stopping…");
    for (const service of [...services].reverse()) await stopService(service, 10_000);
    await redis?.stop();
    await postgres?.stop();
    log("stopped");
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function exited(name: string) {
  return (code: number | null) => {
    if (stopping) return;
    log(`${name} exited unexpectedly (code ${code}); stopping everything`);
    void shutdown(1);
  };
}

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

  // A fresh secret per run: subgraphs answer only requests the router signed with it.
  const env = {
    ...config.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    ROUTER_SECRET: randomBytes(32).toString("hex"),
  };
  // Ports first: every subgraph gets every subgraph's URL, as the router does (orders reads the catalog directly).
  const ports = new Map<string, number>();
  for (const subgraph of config.subgraphs) ports.set(subgraph.name, await freePort());
  const subgraphUrls: Record<string, string> = {};
  for (const [name, port] of ports) subgraphUrls[subgraphUrlVariable(name)] = `http://127.0.0.1:${port}/graphql`;
  const routerEnv: Record<string, string | undefined> = { ...env, ...subgraphUrls, HOST: config.host };
  for (const subgraph of config.subgraphs) {
    const service = startDevService(
      subgraph.name,
      subgraph.dir,
      ports.get(subgraph.name) as number,
      { ...env, ...subgraphUrls },
      exited(subgraph.name),
    );
    services.push(service);
  }
  await Promise.all(services.map((s) => waitReady(s, { path: "/health" })));
  const router = startDevService("router", join(repoRoot, "router"), config.port, routerEnv, exited("router"));
  services.push(router);
  await waitReady(router, { path: "/health" });
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  log(`Commerce Supergraph is running: http://${shownHost}:${config.port}/graphql  (Ctrl-C stops everything)`);
} catch (error) {
  console.error(`[dev] start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
