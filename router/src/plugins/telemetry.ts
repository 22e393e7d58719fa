import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "@commerce/common";
import { operationTelemetryPlugin, type GraphMetrics } from "@commerce/telemetry";
import type { RouterContext } from "../context.js";

export interface TelemetryPluginOptions {
  /** Operation counts and latency, rejections by reason, APQ hits. @default none */
  metrics?: GraphMetrics;
  /** Fallback for the per-operation log line when the context has no logger (a failed context). @default none */
  logger?: Logger;
}

/**
 * The router's per-operation observability (first in the plugin list, so it sees every outcome):
 * names and annotates the request span (operation, type, document hash, client name/version),
 * adds parse and validate spans, counts operations by outcome and rejections by reason, counts
 * APQ lookups, and writes one log line per operation. The gateway adds its own
 * `gateway.request/plan/execute/fetch` spans beneath.
 */
export function telemetryPlugin({ metrics, logger }: TelemetryPluginOptions = {}): ApolloServerPlugin<RouterContext> {
  return operationTelemetryPlugin<RouterContext>({
    ...(metrics ? { metrics } : {}),
    ...(logger ? { logger } : {}),
    countPersistedQueries: true,
  });
}
