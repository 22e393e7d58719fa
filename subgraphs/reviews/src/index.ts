import { ConfigError, createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { loadConfig, SERVICE_NAME, type Config } from "./config.js";
import { createContext, createServer, type ReviewsDeps } from "./server.js";

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One readable block listing every variable to fix, not a stack trace.
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(SERVICE_NAME, config.logLevel);
const db = createDb(config.databaseUrl);
const deps: ReviewsDeps = { db, logger, config };
const served = await serveGraphQL({
  apollo: () => createServer(deps),
  context: createContext(deps),
  port: config.port,
  host: config.host,
  // Only the router may call this subgraph (x-router-signature); /health stays open.
  routerSecret: config.routerSecret,
});
if (!config.routerSecret) logger.warn("ROUTER_SECRET is not set: this subgraph answers any caller, not only the router");
logger.info({ url: served.url }, "reviews subgraph ready");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    // Drains in-flight requests first, then releases the connections they used.
    await served.stop();
  } finally {
    await db.$disconnect();
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
