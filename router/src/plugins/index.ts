import type { ApolloServerPlugin, ApolloServerOptions } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import type { CostSettings } from "@commerce/analysis";
import type { Logger } from "@commerce/common";
import type { GraphMetrics } from "@commerce/telemetry";
import type { RouterContext } from "../context.js";
import type { AuthorizationMode } from "../config.js";
import type { CostBudget } from "../demandControl/costBudget.js";
import type { Safelist } from "../persisted/manifest.js";
import type { SupergraphMetadataRegistry } from "../supergraph/registry.js";
import { authorizationPlugin } from "./authorization.js";
import { demandControlPlugin } from "./demandControl.js";
import { incrementalDeliveryPlugin } from "./incrementalDelivery.js";
import { limitWarningsPlugin } from "./limitWarnings.js";
import { requestDeadlinePlugin } from "./requestDeadline.js";
import { requestIdPlugin } from "./requestId.js";
import { safelistPlugin } from "./safelist.js";
import { telemetryPlugin } from "./telemetry.js";
import { unknownOperationPlugin } from "./unknownOperation.js";
import { usageReportingPlugin, type UsageReportingPluginOptions } from "./usageReporting.js";

export interface RouterPluginsOptions {
  /** Production hides the Sandbox landing page. */
  production: boolean;
  /** The router's metrics (operations, rejections, cost, caches). @default none */
  metrics?: GraphMetrics;
  /** For the per-operation log line when a request has no context logger. @default none */
  logger?: Logger;
  /** Apollo Studio usage reporting, on only when both are set. @default off */
  usageReporting?: UsageReportingPluginOptions;
  /** The router's edge: limits, safelist, field authorization, demand control. @default off (tests of other plugins) */
  edge?: EdgePluginsOptions;
  /** The overall request deadline (HTTP 504 past it); 0 or unset: none, and no per-request cost. @default off */
  requestTimeoutMs?: number;
  /** The server's `formatError`, also applied to the errors of deferred payloads. @default none */
  formatError?: ApolloServerOptions<RouterContext>["formatError"];
}

/** Settings of the edge plugins (see each plugin for its defaults). */
export interface EdgePluginsOptions {
  registry: SupergraphMetadataRegistry;
  authorizationMode: AuthorizationMode;
  cost: CostSettings & { budget?: CostBudget | undefined };
  safelist?: { safelist: Safelist; mode: "log" | "safelist" };
}

/**
 * Limit warnings (the limits themselves run in the context, before Apollo parses), the unknown-operation guard,
 * safelist, auth before cost.
 */
function edgePlugins(edge: EdgePluginsOptions, metrics: GraphMetrics | undefined): ApolloServerPlugin<RouterContext>[] {
  return [
    limitWarningsPlugin(),
    unknownOperationPlugin(),
    ...(edge.safelist ? [safelistPlugin(edge.safelist)] : []),
    authorizationPlugin({ registry: edge.registry, mode: edge.authorizationMode }),
    demandControlPlugin({
      registry: edge.registry,
      mode: edge.cost.mode,
      maxCost: edge.cost.max,
      defaultListSize: edge.cost.defaultListSize,
      entityFetchWeight: edge.cost.entityFetchWeight,
      budget: edge.cost.budget,
      onCost: (cost) => {
        metrics?.observeCost("estimated", cost.estimated);
        if (cost.actual !== undefined) metrics?.observeCost("actual", cost.actual);
      },
    }),
  ];
}

/**
 * The router's plugins, in order. Order is behaviour: the request deadline first (its 504 replaces the response
 * before the telemetry plugin logs and counts it), then telemetry, auth before cost, cache last.
 * The landing page only renders HTML for browsers and has no request hooks, so its place does not matter.
 */
export function routerPlugins({
  production,
  metrics,
  logger,
  usageReporting,
  edge,
  requestTimeoutMs = 0,
  formatError,
}: RouterPluginsOptions): ApolloServerPlugin<RouterContext>[] {
  return [
    ...(requestTimeoutMs > 0 ? [requestDeadlinePlugin({ timeoutMs: requestTimeoutMs })] : []),
    telemetryPlugin({ ...(metrics ? { metrics } : {}), ...(logger ? { logger } : {}) }),
    usageReportingPlugin(usageReporting),
    requestIdPlugin(),
    incrementalDeliveryPlugin(formatError ? { formatError } : {}),
    ...(edge ? edgePlugins(edge, metrics) : []),
    production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
  ];
}
