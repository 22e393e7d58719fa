// The real stack of one checkout of this repository, as deployed: a throw-away Postgres (migrated and seeded) and
// Redis, every subgraph and the router from their builds (`dist/`), in production mode, on 127.0.0.1. Started with
// the checkout's own `npm start` when it has one (and its fixed subgraph ports are free), else service by service
// the way `npm start` does it (a `--baseline` commit from before `npm start`). Used by the storefront scenarios.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanEnv, graphqlReady, ROUTER_SETTINGS } from "../gateways/gateways.js";
import { childProcesses, freePort, isPortFree, onCleanup, startService } from "../harness/processes.js";

/**
 * orders and reviews read the catalog under their own identities, each with its own key: `npm start` takes them as
 * `<SERVICE>_SERVICE_SECRET`, a service started alone as `SERVICE_SECRET`, the catalog as `TRUSTED_SERVICES`.
 * A checkout from before service identities ignores them (its orders signed as the router).
 */
const SERVICE_KEYS = {
  orders: "bench-orders-service-secret-0123456789abcdef",
  reviews: "bench-reviews-service-secret-0123456789abcde",
};
const SERVICE_ENV: Record<string, Record<string, string>> = {
  orders: { SERVICE_SECRET: SERVICE_KEYS.orders },
  reviews: { SERVICE_SECRET: SERVICE_KEYS.reviews },
  catalog: { TRUSTED_SERVICES: `orders:${SERVICE_KEYS.orders},reviews:${SERVICE_KEYS.reviews}` },
};

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
  /** How it was started, for the record. */
  startedBy: string;
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
  /** Extra env for every service (`--stack-env`). */
  extraEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export async function startStack({
  name,
  repoDir,
  logDir,
  tracesEndpoint,
  extraEnv = {},
  log = console.log,
}: StartStackOptions): Promise<Stack> {
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

  const manifest = JSON.parse(readFileSync(join(repoDir, "schema/subgraphs.json"), "utf8")) as {
    subgraphs: { name: string; url: string }[];
  };
  const shared = {
    ...cleanEnv(),
    NODE_ENV: "production",
    // Loopback only (npm start's router would otherwise listen on every interface).
    HOST: "127.0.0.1",
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    JWT_SECRET: ROUTER_SETTINGS.jwtSecret,
    ROUTER_SECRET: ROUTER_SETTINGS.routerSecret,
    ORDERS_SERVICE_SECRET: SERVICE_KEYS.orders,
    REVIEWS_SERVICE_SECRET: SERVICE_KEYS.reviews,
    // One client sends every request of the benchmark: lift its per-client cost budget, which would run out.
    COST_BUDGET: "1000000000",
    ...(tracesEndpoint ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint } : {}),
    ...extraEnv,
  };
  const customer = { email: dbModule.DEMO_USERS.customer, password: dbModule.SEED_PASSWORD };
  const routerPort = await freePort();
  const routerUrl = `http://127.0.0.1:${routerPort}/graphql`;

  const npmStart = join(repoDir, "packages/start/bin/start.mjs");
  const fixedPorts = manifest.subgraphs.map((s) => Number(new URL(s.url).port));
  const portsFree = (await Promise.all(fixedPorts.map((port) => isPortFree(port)))).every(Boolean);
  if (existsSync(npmStart) && !portsFree)
    log(`${name}: subgraph ports ${fixedPorts.join(", ")} are busy, so not \`npm start\`: starting service by service`);
  if (existsSync(npmStart) && portsFree) {
    // SEED unset: the data is seeded above (npm start keeps existing rows and seeds nothing unless asked).
    const start = await startService({
      name: `${name} npm start`,
      command: process.execPath,
      args: [npmStart],
      cwd: repoDir,
      env: { ...shared, PORT: String(routerPort), READY_TIMEOUT_SECONDS: "180" },
      logPath: join(logDir, `${name}-npm-start.log`),
      ready: graphqlReady(routerUrl),
      timeoutMs: 240_000,
      stopGraceMs: 30_000,
    });
    const children = childProcesses(start.pid);
    const pidOf = (entry: string) => children.find((child) => child.command.includes(entry))?.pid;
    const routerPid = pidOf("/router/dist/index.js");
    if (routerPid === undefined)
      throw new Error(`${name}: npm start runs no router/dist/index.js child: ${JSON.stringify(children)}`);
    const subgraphPids: Record<string, number> = {};
    for (const { name: subgraph } of manifest.subgraphs) {
      const pid = pidOf(`/subgraphs/${subgraph}/dist/index.js`);
      if (pid !== undefined) subgraphPids[subgraph] = pid;
    }
    log(`${name}: \`npm start\` (router ${routerUrl}, subgraphs on ${fixedPorts.join(", ")})`);
    return { name, routerUrl, routerPid, subgraphPids, customer, startedBy: "`npm start`" };
  }

  const ports = new Map<string, number>();
  for (const { name: subgraph } of manifest.subgraphs) ports.set(subgraph, await freePort());
  const urls: Record<string, string> = {};
  for (const [subgraph, port] of ports)
    urls[`SUBGRAPH_${subgraph.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`] = `http://127.0.0.1:${port}/graphql`;
  // Every subgraph gets every subgraph's URL, as the router does (orders prices items from the catalog).
  const env = { ...shared, ...urls };
  const subgraphPids: Record<string, number> = {};
  for (const [subgraph, port] of ports) {
    // Ports are picked before the first start (every subgraph needs every URL); another process may take one meanwhile.
    if (!(await isPortFree(port)))
      throw new Error(
        `${name}: port ${port}, picked for ${subgraph}, was taken by another process meanwhile; run again`,
      );
    const service = await startService({
      name: `${name} ${subgraph}`,
      command: process.execPath,
      args: [join(repoDir, "subgraphs", subgraph, "dist/index.js")],
      cwd: join(repoDir, "subgraphs", subgraph),
      env: { ...env, ...SERVICE_ENV[subgraph], PORT: String(port) },
      logPath: join(logDir, `${name}-${subgraph}.log`),
      ready: async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    });
    subgraphPids[subgraph] = service.pid;
  }
  const router = await startService({
    name: `${name} router`,
    command: process.execPath,
    args: [join(repoDir, "router/dist/index.js")],
    cwd: repoDir,
    env: { ...env, PORT: String(routerPort) },
    logPath: join(logDir, `${name}-router.log`),
    ready: graphqlReady(routerUrl),
  });
  log(
    `${name}: router ${routerUrl} over ${manifest.subgraphs.map((s) => s.name).join(", ")}, started service by service`,
  );
  return {
    name,
    routerUrl,
    routerPid: router.pid,
    subgraphPids,
    customer,
    startedBy: "service by service, as `npm start` does",
  };
}
