import { connectRedis, createMemoryCache, createRedisCache, type Cache } from "@commerce/cache";
import { ConfigError, createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { loadConfig, type Config } from "./config.js";
import { createContext, createServer } from "./server.js";

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger("accounts", config.logLevel);
const db = createDb(config.databaseUrl);
let cache: Cache;
if (config.redisUrl) {
  cache = createRedisCache(connectRedis(config.redisUrl, "accounts"), {
    onError: (err) => logger.warn({ err }, "cache error, answered as a miss"),
  });
} else {
  cache = createMemoryCache();
  logger.warn("REDIS_URL is not set: caching in process memory (not shared between instances)");
}

const deps = { db, cache, logger, config };
const served = await serveGraphQL({ apollo: () => createServer(deps), context: createContext(deps), port: config.port, host: config.host });
logger.info({ url: served.url }, "accounts subgraph ready");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  try {
    await served.stop();
  } finally {
    await Promise.allSettled([db.$disconnect(), cache.close()]);
    logger.info("stopped");
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
