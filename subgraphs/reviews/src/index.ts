import { catalogClientFor, runSubgraph } from "@commerce/subgraph";
import { loadConfig, SERVICE_NAME } from "./config.js";
import { createContext, createServer } from "./server.js";

await runSubgraph({
  service: SERVICE_NAME,
  loadConfig,
  // Reviews cache nothing: Redis is only checked by /ready.
  withoutRedis: "/ready checks Postgres only (reviews cache nothing)",
  // createReview asks the catalog whether the product exists, signed like the router's requests.
  deps: ({ db, logger, config, telemetry }) => ({ db, logger, config, telemetry, catalog: catalogClientFor(config, logger) }),
  createServer,
  createContext,
});
