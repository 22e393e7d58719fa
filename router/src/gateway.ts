import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GatewayConfig,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  type ServiceEndpointDefinition,
} from "@apollo/gateway";
import type { Logger } from "@commerce/common";
import { REQUEST_ID_HEADER, type RouterContext } from "./context.js";
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
}

/** The env-var form of a subgraph name: `accounts` → `ACCOUNTS` (as in `SUBGRAPH_ACCOUNTS_URL`). */
export function subgraphEnvName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The URL the router calls for a subgraph: the override when one is set, else the supergraph's `@join__graph(url:)`. */
export function subgraphUrl(definition: ServiceEndpointDefinition, overrides: Readonly<Record<string, string>>): string {
  return overrides[subgraphEnvName(definition.name)] ?? definition.url ?? "";
}

/** Calls a subgraph over HTTP, forwarding the caller's identity and request id from the router context. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    // Health checks and schema loads carry no caller.
    if (!("incomingRequestContext" in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    const { authorization, requestId } = options.context;
    if (authorization) headers.set("authorization", authorization);
    headers.set(REQUEST_ID_HEADER, requestId);
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
}: CreateGatewayOptions): ApolloGateway {
  const log = logger.child({ component: "gateway" });

  const apply = (update: (sdl: string) => void, sdl: string): void => {
    try {
      update(sdl);
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
    buildService: buildService ?? ((definition) => new SubgraphDataSource({ url: subgraphUrl(definition, subgraphUrls) })),
    async supergraphSdl({ update }) {
      const supergraphSdl = await readSupergraph(supergraphPath);
      warnOnUnusedOverrides(supergraphSdl, subgraphUrls, log);
      const close = watchSupergraph(supergraphPath, supergraphSdl, {
        ...watch,
        onChange: (sdl) => apply(update, sdl),
        onError: (error) => log.warn({ err: error, supergraphPath }, "cannot read the supergraph file; still serving the previous supergraph"),
      });
      return { supergraphSdl, cleanup: async () => close() };
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
