import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GatewayConfig,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  type ServiceEndpointDefinition,
} from "@apollo/gateway";
import type { Logger } from "@commerce/common";
import { injectTraceContext, startSubgraphFetch, type GraphMetrics } from "@commerce/telemetry";
import { ROUTER_SIGNATURE_HEADER, signRouterRequest } from "@commerce/http";
import { REQUEST_ID_HEADER, type RouterContext } from "./context.js";
import { prepareSupergraph } from "./supergraph/metadata.js";
import { readSupergraph, watchSupergraph } from "./watchSupergraph.js";

/** The outcome of one supergraph file change. */
export type SupergraphReload = { status: "updated" } | { status: "rejected"; error: unknown };

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
}

/** The env-var form of a subgraph name: `accounts` → `ACCOUNTS` (as in `SUBGRAPH_ACCOUNTS_URL`). */
export function subgraphEnvName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The URL the router calls for a subgraph: the override when one is set, else the supergraph's `@join__graph(url:)`. */
export function subgraphUrl(definition: ServiceEndpointDefinition, overrides: Readonly<Record<string, string>>): string {
  return overrides[subgraphEnvName(definition.name)] ?? definition.url ?? "";
}

/**
 * Calls a subgraph over HTTP, forwarding the caller's identity and request id from the router context
 * and the trace context (W3C `traceparent` of the gateway's fetch span).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  /** The subgraph's name, for spans and metrics. */
  readonly subgraphName: string;
  /** Records fetch latency and errors by subgraph. */
  readonly metrics: GraphMetrics | undefined;
  /** Signs each request so the subgraph knows it comes from the router. */
  readonly routerSecret: string | undefined;

  constructor({
    subgraphName = "unknown",
    metrics,
    routerSecret,
    ...config
  }: Partial<RemoteGraphQLDataSource<RouterContext>> & { subgraphName?: string; metrics?: GraphMetrics | undefined; routerSecret?: string | undefined }) {
    super(config);
    this.subgraphName = subgraphName;
    this.metrics = metrics;
    this.routerSecret = routerSecret;
  }

  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>): ReturnType<RemoteGraphQLDataSource<RouterContext>["process"]> {
    if (!("incomingRequestContext" in options)) return super.process(options);
    const fetch = startSubgraphFetch(this.metrics, this.subgraphName, options.request.variables);
    try {
      const response = await super.process(options);
      fetch.finish({ status: response.http?.status, errorCount: response.errors?.length ?? 0 });
      return response;
    } catch (error) {
      fetch.fail(error);
      throw error;
    }
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    // Every request, health checks included: subgraphs answer only the router.
    if (this.routerSecret) headers.set(ROUTER_SIGNATURE_HEADER, signRouterRequest(this.routerSecret));
    // Health checks and schema loads carry no caller.
    if (!("incomingRequestContext" in options)) return;
    const { authorization, requestId } = options.context;
    if (authorization) headers.set("authorization", authorization);
    headers.set(REQUEST_ID_HEADER, requestId);
    injectTraceContext(headers);
  }
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
}: CreateGatewayOptions): ApolloGateway {
  const log = logger.child({ component: "gateway" });

  const apply = (update: (sdl: string) => void, sdl: string): void => {
    try {
      // The router enforces the supergraph's @authenticated / @requiresScopes itself (see prepareSupergraph).
      update(prepareSupergraph(sdl).sdl);
      warnOnUnusedOverrides(sdl, subgraphUrls, log);
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
    experimental_didResolveQueryPlan: (resolved) => (resolved.requestContext.context as Partial<RouterContext>).didResolveQueryPlan?.(resolved),
    buildService:
      buildService ?? ((definition) => new SubgraphDataSource({ url: subgraphUrl(definition, subgraphUrls), subgraphName: definition.name, metrics, routerSecret })),
    async supergraphSdl({ update }) {
      const supergraphSdl = await readSupergraph(supergraphPath);
      warnOnUnusedOverrides(supergraphSdl, subgraphUrls, log);
      // Before watching: a supergraph whose security the router cannot enforce fails the start.
      const prepared = prepareSupergraph(supergraphSdl).sdl;
      const close = watchSupergraph(supergraphPath, supergraphSdl, {
        ...watch,
        onChange: (sdl) => apply(update, sdl),
        onError: (error) => log.warn({ err: error, supergraphPath }, "cannot read the supergraph file; still serving the previous supergraph"),
      });
      return { supergraphSdl: prepared, cleanup: async () => close() };
    },
  });
}

/** A `SUBGRAPH_<NAME>_URL` naming no subgraph is most likely a typo: say so. */
function warnOnUnusedOverrides(sdl: string, overrides: Readonly<Record<string, string>>, log: Logger): void {
  const names = new Set([...sdl.matchAll(/@join__graph\(\s*name:\s*"([^"]+)"/g)].map((m) => subgraphEnvName(m[1] ?? "")));
  for (const key of Object.keys(overrides)) {
    if (!names.has(key)) log.warn({ variable: `SUBGRAPH_${key}_URL` }, "URL override names no subgraph in the supergraph");
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
