import { ConfigError, createLogger } from "@commerce/common";
import { serveGraphQL } from "@commerce/http";
import { loadConfig } from "./config.js";
import { createRouter } from "./server.js";

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger("router", config.logLevel);

try {
  const router = createRouter({ config, logger });
  const served = await serveGraphQL({
    apollo: () => router.apollo,
    context: router.context,
    cors: router.cors,
    routes: router.routes,
    path: router.path,
    host: config.host,
    port: config.port,
  });
  logger.info(`router ready at ${served.url}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for requests to drain");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "router stopping");
    served.stop().then(
      () => logger.info("router stopped"),
      (error: unknown) => {
        logger.error({ err: error }, "router did not stop cleanly");
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "router failed to start");
  process.exitCode = 1;
}
