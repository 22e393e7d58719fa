import { runSubgraph } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { createContext, createServer } from "./server.js";

await runSubgraph({
  service: SERVICE_NAME,
  loadConfig,
  withoutRedis: "caching in process memory (not shared between instances)",
  deps: ({ db, cache, logger, config, telemetry }) => ({ db, cache, logger, config, telemetry }),
  createServer,
  createContext,
});
