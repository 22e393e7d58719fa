import {
  ApolloGateway,
  type GatewayConfig,
  type GraphQLDataSource,
  type ServiceEndpointDefinition,
} from "@apollo/gateway";
import { prepareSupergraph } from "@commerce/analysis";
import type { Logger } from "@commerce/common";
import { routerSigner } from "@commerce/http";
import type { GraphMetrics } from "@commerce/telemetry";
import type { RouterContext } from "./context.js";
import { SubgraphHttpClient } from "./dataPlane/httpClient.js";
import { SubgraphPolicies, subgraphEnvName } from "./dataPlane/policies.js";
import { SubgraphDataSource } from "./dataPlane/subgraphDataSource.js";
import { readSupergraph, watchSupergraph } from "./watchSupergraph.js";

export { SubgraphDataSource, subgraphEnvName };

/** The outcome of one supergraph file change. */
export type SupergraphReload = { status: "updated" } | { status: "rejected"; error: unknown };

/** What the default data sources share: connections, per-subgraph policies, de-duplication. */
export interface SubgraphTraffic {
  /** Keep-alive connection pools per subgraph origin. */
  client: SubgraphHttpClient;
  /** Timeout, retry and breaker policy per subgraph (their breakers feed `/ready`). */
  policies: SubgraphPolicies;
  /** Identical queries in flight share one subgraph call (`SUBGRAPH_DEDUPLICATION`). @default true */
  deduplicate?: boolean;
}

export interface CreateGatewayOptions {
  /** Supergraph SDL file; read at start and watched for changes. */
  supergraphPath: string;
  /** URL overrides keyed by subgraph env name (`ACCOUNTS`, see `subgraphEnvName`). @default {} */
  subgraphUrls?: Readonly<Record<string, string>>;
  logger: Logger;
  /** Called after each file change is applied or rejected. */
  onReload?: (reload: SupergraphReload) => void;
  /** Data source per subgraph; tests pass LocalGraphQLDataSource. @default a SubgraphDataSource at the (overridden) URL */
  buildService?: (definition: ServiceEndpointDefinition) => GraphQLDataSource<RouterContext>;
  /** File watching tunables (see watchSupergraph). */
  watch?: { debounceMs?: number; pollIntervalMs?: number };
  /** Subgraph fetch latency and errors (for the default data sources). */
  metrics?: GraphMetrics;
  /** Shared with the subgraphs: every subgraph request is signed with it (`x-router-signature`). @default unsigned */
  routerSecret?: string | undefined;
  /** Connections, policies and de-duplication of the default data sources. @default new ones with the default policy */
  traffic?: SubgraphTraffic;
}

/** The URL the router calls for a subgraph: the override when one is set, else the supergraph's `@join__graph(url:)`. */
export function subgraphUrl(
  definition: ServiceEndpointDefinition,
  overrides: Readonly<Record<string, string>>,
): string {
  return overrides[subgraphEnvName(definition.name)] ?? definition.url ?? "";
}

/**
 * The URL of each subgraph of the supergraph the gateway serves now (the override when one is set), for the calls
 * that do not go through its data sources (subscriptions); undefined for a name it does not know.
 */
export function subgraphUrlResolver(
  gateway: ApolloGateway,
  overrides: Readonly<Record<string, string>>,
): (name: string) => string | undefined {
  // The gateway keeps each subgraph's supergraph URL beside its data source.
  const services = () => (gateway as unknown as { serviceMap?: Record<string, { url?: string }> }).serviceMap ?? {};
  return (name) => {
    const known = services()[name];
    return known ? subgraphUrl({ name, url: known.url }, overrides) || undefined : undefined;
  };
}

/**
 * An ApolloGateway over a supergraph file. A changed file is applied without a restart; a file the gateway
 * rejects is logged and the previous supergraph keeps serving. The watcher closes when the gateway stops.
 */
export function createGateway({
  supergraphPath,
  subgraphUrls = {},
  logger,
  onReload,
  buildService,
  watch,
  metrics,
  routerSecret,
  traffic = { client: new SubgraphHttpClient(), policies: new SubgraphPolicies({ logger }) },
}: CreateGatewayOptions): ApolloGateway {
  const log = logger.child({ component: "gateway" });
  // One signature per minute for every subgraph, not an HMAC per fetch.
  const sign = routerSecret ? routerSigner(routerSecret) : undefined;

  const apply = (update: (sdl: string) => void, sdl: string): void => {
    try {
      // The router enforces the supergraph's @authenticated / @requiresScopes itself (see prepareSupergraph).
      update(prepareSupergraph(sdl).sdl);
      warnOnUnusedOverrides(sdl, subgraphUrls, traffic.policies.overriddenNames(), log);
      log.info({ supergraphPath }, "supergraph reloaded");
      onReload?.({ status: "updated" });
    } catch (error) {
      log.error({ err: error, supergraphPath }, "supergraph change rejected; still serving the previous supergraph");
      onReload?.({ status: "rejected", error });
    }
  };

  return new ApolloGateway({
    logger: gatewayLogger(log),
    // Always validate, also in production, so a broken file is rejected rather than served.
    validateSupergraph: true,
    // Between planning and the first subgraph call: demand control costs the plan here (see RouterContext).
    experimental_didResolveQueryPlan: (resolved) =>
      (resolved.requestContext.context as Partial<RouterContext>).didResolveQueryPlan?.(resolved),
    buildService:
      buildService ??
      ((definition) =>
        new SubgraphDataSource({
          name: definition.name,
          url: subgraphUrl(definition, subgraphUrls),
          client: traffic.client,
          policy: traffic.policies.get(definition.name),
          metrics,
          sign,
          deduplicate: traffic.deduplicate ?? true,
          logger: log,
        })),
    async supergraphSdl({ update }) {
      const supergraphSdl = await readSupergraph(supergraphPath);
      warnOnUnusedOverrides(supergraphSdl, subgraphUrls, traffic.policies.overriddenNames(), log);
      // Before watching: a supergraph whose security the router cannot enforce fails the start.
      const prepared = prepareSupergraph(supergraphSdl).sdl;
      const close = watchSupergraph(supergraphPath, supergraphSdl, {
        ...watch,
        onChange: (sdl) => apply(update, sdl),
        onError: (error) =>
          log.warn(
            { err: error, supergraphPath },
            "cannot read the supergraph file; still serving the previous supergraph",
          ),
      });
      return { supergraphSdl: prepared, cleanup: async () => close() };
    },
  });
}

/** A `SUBGRAPH_<NAME>_URL` (or `SUBGRAPH_<NAME>_TIMEOUT_MS`, …) naming no subgraph is most likely a typo: say so. */
function warnOnUnusedOverrides(
  sdl: string,
  overrides: Readonly<Record<string, string>>,
  policyNames: readonly string[],
  log: Logger,
): void {
  const names = new Set(
    [...sdl.matchAll(/@join__graph\(\s*name:\s*"([^"]+)"/g)].map((m) => subgraphEnvName(m[1] ?? "")),
  );
  for (const key of Object.keys(overrides)) {
    if (!names.has(key))
      log.warn({ variable: `SUBGRAPH_${key}_URL` }, "URL override names no subgraph in the supergraph");
  }
  for (const key of policyNames) {
    if (!names.has(key))
      log.warn({ variables: `SUBGRAPH_${key}_*` }, "traffic settings name no subgraph in the supergraph");
  }
}

/** Apollo's logger interface over ours; the gateway's own info lines are routine, so they go to debug. */
function gatewayLogger(log: Logger): NonNullable<GatewayConfig["logger"]> {
  return {
    debug: (message: unknown) => log.debug(String(message)),
    info: (message: unknown) => log.debug(String(message)),
    warn: (message: unknown) => log.warn(String(message)),
    error: (message: unknown) => log.error(String(message)),
  };
}
