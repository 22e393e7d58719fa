// The real stack of one checkout of this repository, as deployed: a throw-away Postgres (migrated and seeded) and
// Redis, every subgraph and the router from their builds (`dist/`), in production mode, on 127.0.0.1. Used for the
// storefront scenarios, side by side with the same stack of a `--baseline` commit.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanEnv, graphqlReady, ROUTER_SETTINGS } from "../gateways/gateways.js";
import { freePort, onCleanup, startService } from "../harness/processes.js";

/** The scrypt cost of the seeded users' password hashes (log-in verifies at the cost the hash was made with). */
export const PASSWORD_HASH_COST = 10;

export interface Stack {
  name: string;
  routerUrl: string;
  routerPid: number;
  /** pid of each subgraph, by name. */
  subgraphPids: Record<string, number>;
  /** The seeded customer who logs in during the mix. */
  customer: { email: string; password: string };
}

interface TestingModule {
  startTestInfra(): Promise<{ databaseUrl: string; redisUrl: string; stop(): Promise<void> }>;
}
interface DbModule {
  createDb(url: string, options: { poolSize: number }): { $disconnect(): Promise<void> };
  seed(db: unknown, options?: { passwordHashCost?: number }): Promise<unknown>;
  DEMO_USERS: { customer: string };
  SEED_PASSWORD: string;
}

/** Imports a workspace package of `repoDir` as that checkout resolves it (its built `dist/`). */
async function importFrom<T>(repoDir: string, name: string): Promise<T> {
  const path = createRequire(join(repoDir, "package.json")).resolve(name);
  return (await import(pathToFileURL(path).href)) as T;
}

export interface StartStackOptions {
  name: string;
  repoDir: string;
  /** Where the services' logs go. */
  logDir: string;
  tracesEndpoint?: string | undefined;
  log?: (line: string) => void;
}

export async function startStack({ name, repoDir, logDir, tracesEndpoint, log = console.log }: StartStackOptions): Promise<Stack> {
  const testing = await importFrom<TestingModule>(repoDir, "@commerce/testing");
  const infra = await testing.startTestInfra();
  onCleanup(() => infra.stop());
  const dbModule = await importFrom<DbModule>(repoDir, "@commerce/db");
  const db = dbModule.createDb(infra.databaseUrl, { poolSize: 2 });
  // Password hashes at scrypt cost 10 instead of the seed's 15: at 15 one log-in costs as much CPU as hundreds of
  // other requests, and the session mix would measure scrypt rather than the graph.
  await dbModule.seed(db, { passwordHashCost: PASSWORD_HASH_COST });
  await db.$disconnect();
  log(`${name}: Postgres and Redis ready, migrated and seeded`);

  const manifest = JSON.parse(readFileSync(join(repoDir, "schema/subgraphs.json"), "utf8")) as { subgraphs: { name: string }[] };
  const ports = new Map<string, number>();
  for (const { name: subgraph } of manifest.subgraphs) ports.set(subgraph, await freePort());
  const urls: Record<string, string> = {};
  for (const [subgraph, port] of ports) urls[`SUBGRAPH_${subgraph.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`] = `http://127.0.0.1:${port}/graphql`;
  const shared = {
    ...cleanEnv(),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    JWT_SECRET: ROUTER_SETTINGS.jwtSecret,
    ROUTER_SECRET: ROUTER_SETTINGS.routerSecret,
    ...(tracesEndpoint ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint } : {}),
    ...urls,
  };
  const subgraphPids: Record<string, number> = {};
  for (const [subgraph, port] of ports) {
    const service = await startService({
      name: `${name} ${subgraph}`,
      command: process.execPath,
      args: [join(repoDir, "subgraphs", subgraph, "dist/index.js")],
      cwd: join(repoDir, "subgraphs", subgraph),
      env: { ...shared, PORT: String(port) },
      logPath: join(logDir, `${name}-${subgraph}.log`),
      ready: async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    });
    subgraphPids[subgraph] = service.pid;
  }
  const routerPort = await freePort();
  const routerUrl = `http://127.0.0.1:${routerPort}/graphql`;
  const router = await startService({
    name: `${name} router`,
    command: process.execPath,
    args: [join(repoDir, "router/dist/index.js")],
    cwd: repoDir,
    // One client sends every request of the benchmark: lift its per-client cost budget, which would run out.
    env: { ...shared, PORT: String(routerPort), COST_BUDGET: "1000000000" },
    logPath: join(logDir, `${name}-router.log`),
    ready: graphqlReady(routerUrl),
  });
  log(`${name}: router ${routerUrl} over ${manifest.subgraphs.map((s) => s.name).join(", ")}`);
  return { name, routerUrl, routerPid: router.pid, subgraphPids, customer: { email: dbModule.DEMO_USERS.customer, password: dbModule.SEED_PASSWORD } };
}
