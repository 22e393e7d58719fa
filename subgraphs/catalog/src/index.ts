import { runSubgraph } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { createContext, createServer, type CatalogDeps } from "./server.js";

await runSubgraph({
  service: SERVICE_NAME,
  loadConfig,
  withoutRedis: "caching in this process only (not shared between instances, invalidation stays local)",
  deps: ({ db, cache, logger, config, telemetry }): CatalogDeps => ({ db, cache, logger, config, telemetry }),
  createServer,
  createContext,
});
