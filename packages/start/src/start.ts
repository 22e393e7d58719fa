// `npm start`: the production configuration on one machine, from the built services. Applies the migrations,
// seeds only when SEED asks, starts every subgraph on loopback and waits for its /ready, then the router (one
// process, or N workers on one port). SIGTERM/SIGINT stop the router first (it drains), then the subgraphs.
import { ConfigError, createLogger, type Logger } from "@commerce/common";
import { createDb, migrate, seed } from "@commerce/db";
import { loadStartConfig, subgraphUrlVariable, type StartConfig } from "./config.js";
import { heapFlags } from "./heap.js";
import { startRouterWorkers, startService, stopService, waitReady, type Service } from "./processes.js";

let config: StartConfig;
try {
  config = loadStartConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger: Logger = createLogger("start", config.logLevel);
const subgraphs: Service[] = [];
let routers: Service[] = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    logger.info("stopping: the router first (it drains in-flight requests), then the subgraphs");
    await Promise.all(routers.map((service) => stopService(service)));
    await Promise.all(subgraphs.map((service) => stopService(service)));
    logger.info("stopped");
  }
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(0));

function exited(name: string) {
  return (code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping) return;
    logger.error({ service: name, code, signal }, `${name} exited unexpectedly: stopping everything`);
    void stop(1);
  };
}

try {
  const migrated = await migrate(config.databaseUrl, { log: (line) => logger.info(line) });
  logger.info(`migrations up to date (${migrated.applied.length} applied now, ${migrated.alreadyApplied} before)`);
  if (config.seed === "off") {
    logger.info("not seeding (SEED=true seeds the demo data set, SEED=catalog the catalog alone)");
  } else {
    const db = createDb(config.databaseUrl, { poolSize: 2 });
    try {
      const { inserted } = await seed(db, { demoAccounts: config.seed === "all" });
      logger.info(
        { inserted },
        `seeded (${config.seed === "all" ? "demo data set, demo accounts included" : "catalog only"}; existing rows kept)`,
      );
    } finally {
      await db.$disconnect();
    }
  }

  const urls = Object.fromEntries(
    config.subgraphs.map((s) => [subgraphUrlVariable(s.name), `http://127.0.0.1:${s.port}/graphql`]),
  );
  // Every subgraph gets every subgraph's URL, as the router does (orders prices items from the catalog).
  const env = { ...config.env, NODE_ENV: "production", ...urls };
  for (const subgraph of config.subgraphs) {
    const onExit = exited(subgraph.name);
    // Loopback only: on one machine nothing but the router needs to reach a subgraph.
    const own = config.serviceEnv[subgraph.name];
    subgraphs.push(
      startService({
        ...subgraph,
        execArgv: heapFlags(config.heapMb[subgraph.name] as number),
        env: { ...env, ...own, HOST: "127.0.0.1" },
        output: "inherit",
        onExit,
      }),
    );
  }
  await Promise.all(subgraphs.map((service) => waitReady(service, { timeoutMs: config.readyTimeoutMs })));
  logger.info(`subgraphs ready: ${config.subgraphs.map((s) => `${s.name} :${s.port}`).join(", ")}`);

  const routerEnv = { ...env, PORT: String(config.routerPort) };
  const routerExecArgv = heapFlags(config.heapMb.router as number);
  if (config.routerWorkers === 1) {
    routers = [
      startService({
        name: "router",
        entry: config.routerEntry,
        execArgv: routerExecArgv,
        port: config.routerPort,
        env: routerEnv,
        output: "inherit",
        onExit: exited("router"),
      }),
    ];
  } else {
    routers = await startRouterWorkers({
      entry: config.routerEntry,
      workers: config.routerWorkers,
      execArgv: routerExecArgv,
      env: routerEnv,
      onExit: (name, code, signal) => exited(name)(code, signal),
    });
  }
  const origin = `http://127.0.0.1:${config.routerPort}`;
  await waitReady(routers[0] as Service, { origin, timeoutMs: config.readyTimeoutMs });
  const workers = config.routerWorkers === 1 ? "" : ` (${config.routerWorkers} router workers)`;
  logger.info(`Commerce Supergraph is running in production mode: ${origin}/graphql${workers}`);
} catch (error) {
  logger.fatal({ err: error }, `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
