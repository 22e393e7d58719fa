import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginUsageReporting } from "@apollo/server/plugin/usageReporting";
import type { RouterContext } from "../context.js";

export interface UsageReportingPluginOptions {
  /** `APOLLO_KEY`. @default undefined */
  apolloKey?: string | undefined;
  /** `APOLLO_GRAPH_REF` (e.g. `commerce@production`). @default undefined */
  graphRef?: string | undefined;
}

/** True when the router should report usage to Apollo Studio: both the key and the graph ref are set. */
export function usageReportingEnabled({ apolloKey, graphRef }: UsageReportingPluginOptions): boolean {
  return Boolean(apolloKey && graphRef);
}

/**
 * Apollo Studio usage reporting (operation counts and field-level traces, which makes the gateway
 * ask subgraphs for their `ftv1` inline traces) when configured; otherwise the explicit "disabled"
 * plugin, so Apollo Server never turns reporting on by itself from the environment.
 */
export function usageReportingPlugin(options: UsageReportingPluginOptions = {}): ApolloServerPlugin<RouterContext> {
  return usageReportingEnabled(options)
    ? // No variables, no headers (tokens), error messages masked: nothing private leaves the router.
      ApolloServerPluginUsageReporting<RouterContext>({
        sendVariableValues: { none: true },
        sendHeaders: { none: true },
        sendErrors: { masked: true },
      })
    : ApolloServerPluginUsageReportingDisabled();
}
