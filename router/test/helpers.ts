import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeaderMap } from "@apollo/server";
import { LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { createTokenSigner } from "@commerce/auth";
import type { GraphQLFormattedError } from "graphql";
import { createLogger } from "@commerce/common";
import { loadConfig, type RouterConfig } from "../src/config.js";
import { createGateway, type CreateGatewayOptions, type SupergraphReload } from "../src/gateway.js";
import { createRouter, type Router } from "../src/server.js";
import type { RouterContext } from "../src/context.js";
import { composeSupergraph, subgraphSchemas, type SeenRequest } from "./fixtures/subgraphs.js";

export const silentLogger = createLogger("router-test", "silent");

/** A temp directory holding `supergraph.graphql`; `remove` deletes it. */
export async function tempSupergraph(
  sdl: string,
): Promise<{ path: string; write: (sdl: string) => Promise<void>; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "router-supergraph-"));
  const path = join(dir, "supergraph.graphql");
  await writeFile(path, sdl);
  return { path, write: (next) => writeFile(path, next), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Router config as the tests want it; `env` overrides. */
export function testConfig(supergraphPath: string, env: Record<string, string> = {}): RouterConfig {
  return loadConfig({
    NODE_ENV: "development",
    SUPERGRAPH_PATH: supergraphPath,
    LOG_LEVEL: "silent",
    JWT_SECRET: TEST_JWT_SECRET,
    ROUTER_SECRET: TEST_ROUTER_SECRET,
    ...env,
  });
}

/** The access-token secret of test routers (also valid in production mode). */
export const TEST_JWT_SECRET = "router-test-jwt-secret-0123456789abcdef";
/** The secret test routers sign subgraph requests with. */
export const TEST_ROUTER_SECRET = "router-test-router-secret-0123456789abcdef";

/** Collects reload outcomes and lets a test wait for the next one. */
export function reloadRecorder() {
  const events: SupergraphReload[] = [];
  let waiter: ((event: SupergraphReload) => void) | undefined;
  return {
    events,
    onReload: (event: SupergraphReload) => {
      events.push(event);
      waiter?.(event);
    },
    next: (timeoutMs = 5_000) =>
      new Promise<SupergraphReload>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no supergraph reload within the timeout")), timeoutMs);
        waiter = (event) => {
          clearTimeout(timer);
          waiter = undefined;
          resolve(event);
        };
      }),
  };
}

/** One request the gateway sent to an inline subgraph. */
export interface SubgraphRequest {
  service: string;
  query: string;
}

/** Records every operation the gateway sends to a subgraph, to prove what never reached one. */
class RecordingDataSource extends LocalGraphQLDataSource<RouterContext> {
  constructor(
    schema: ConstructorParameters<typeof LocalGraphQLDataSource>[0],
    private readonly service: string,
    private readonly requests: SubgraphRequest[],
  ) {
    super(schema);
  }

  override process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    this.requests.push({ service: this.service, query: options.request.query ?? "" });
    return super.process(options);
  }
}

const signer = createTokenSigner({ secret: TEST_JWT_SECRET, ttlSeconds: 300 });

/** `Bearer <token>` for a user, signed with the secret test routers verify with. */
export async function bearer(userId = "u1", scopes: readonly string[] = []): Promise<string> {
  return `Bearer ${await signer.sign(userId, scopes)}`;
}

/** A gateway over the inline subgraphs, in process (LocalGraphQLDataSource), watching `supergraphPath` quickly. */
export function localGateway(
  supergraphPath: string,
  options: Partial<CreateGatewayOptions> & { seen?: SeenRequest[]; requests?: SubgraphRequest[] } = {},
) {
  const schemas = subgraphSchemas(options.seen);
  const requests = options.requests ?? [];
  return createGateway({
    supergraphPath,
    logger: silentLogger,
    watch: { debounceMs: 20, pollIntervalMs: 50 },
    buildService: ({ name }) => {
      const schema = schemas[name as keyof typeof schemas];
      if (!schema) throw new Error(`no fixture subgraph named ${name}`);
      return new RecordingDataSource(schema, name, requests);
    },
    ...options,
  });
}

/**
 * A started router over the inline subgraphs, in process; what it leaves behind goes to `cleanups`. `seen` holds
 * the identity each accounts `me` request carried, `requests` every subgraph operation.
 */
export async function startLocalRouter(cleanups: (() => Promise<void>)[], env: Record<string, string> = {}) {
  const file = await tempSupergraph(composeSupergraph());
  const seen: SeenRequest[] = [];
  const requests: SubgraphRequest[] = [];
  const router = createRouter({
    config: testConfig(file.path, env),
    logger: silentLogger,
    gateway: localGateway(file.path, { seen, requests }),
  });
  await router.apollo.start();
  cleanups.push(file.remove, router.stop);
  return { router, seen, requests };
}

export interface ExecuteResult<T> {
  status: number;
  headers: HeaderMap;
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** Sends one POST through the started router in process, the way the HTTP host would. */
export async function execute<T = Record<string, unknown>>(
  router: Router,
  query: string | undefined,
  {
    variables = {},
    headers = {},
    extensions,
  }: {
    variables?: Record<string, unknown>;
    headers?: Record<string, string>;
    extensions?: Record<string, unknown>;
  } = {},
): Promise<ExecuteResult<T>> {
  const all = { "content-type": "application/json", ...headers };
  const body = { ...(query === undefined ? {} : { query }), variables, ...(extensions ? { extensions } : {}) };
  const response = await router.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers: new HeaderMap(Object.entries(all)), search: "", body },
    context: () => router.context({ headers: lowerCased(all), body }),
  });
  if (response.body.kind !== "complete") throw new Error("expected a complete (non-incremental) response");
  const result = JSON.parse(response.body.string) as { data?: T | null; errors?: GraphQLFormattedError[] };
  return { status: response.status ?? 200, headers: response.headers, ...result };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
