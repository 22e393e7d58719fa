import { readFile } from "node:fs/promises";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { parse, print, type GraphQLFormattedError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenSigner, DEV_JWT_SECRET } from "@commerce/auth";
import { createLogger, type Env } from "@commerce/common";
import { createDb } from "@commerce/db";
import type { ContextRequest, SubgraphConfig, SubgraphDeps } from "@commerce/subgraph";
import { ConfigError, normalizedServedSdl, undocumented } from "@commerce/subgraph";

/** One operation's result, as a client reads it. */
export interface OperationResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** What a subgraph package exports to build its server (its `subgraph` from defineSubgraph fits). */
export interface SubgraphFactory<TDeps, TContext extends BaseContext> {
  createServer(deps: TDeps): ApolloServer<TContext>;
  createContext(deps: TDeps): (req: ContextRequest) => Promise<TContext>;
}

/** A subgraph server in this process (no port): operations run through Apollo's `executeOperation`. */
export interface InProcessSubgraph<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  /** The context a request with these headers gets. */
  context(headers?: Record<string, string>): Promise<TContext>;
  /** Runs an operation as a new request with these headers (so with a fresh context and fresh loaders). */
  execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<OperationResult<T>>;
  /**
   * Runs an operation as a new request from `user` (a bearer token for `userId` holding `scopes`, by default
   * `profile`), or anonymously when `user` is undefined.
   */
  executeAs<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    user?: { userId: string; scopes?: readonly string[] },
  ): Promise<OperationResult<T>>;
  /** Runs an operation with a context the test built (or inspected) itself. */
  executeIn<T = Record<string, unknown>>(
    contextValue: TContext,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<OperationResult<T>>;
  stop(): Promise<void>;
}

/** Builds and starts the subgraph's server over `deps`; `stop()` stops it (the deps' connections stay the caller's). */
export async function startInProcess<TDeps, TContext extends BaseContext>(
  subgraph: SubgraphFactory<TDeps, TContext>,
  deps: TDeps,
): Promise<InProcessSubgraph<TContext>> {
  const server = subgraph.createServer(deps);
  await server.start();
  const contextOf = subgraph.createContext(deps);
  async function executeIn<T>(
    contextValue: TContext,
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<OperationResult<T>> {
    // The HTTP headers too: plugins read them (a federated trace is served only when the router asks for one).
    const http = { method: "POST", headers: new HeaderMap(Object.entries(headers)), search: "", body: {} };
    const response = await server.executeOperation<T>({ query, variables, http }, { contextValue });
    if (response.body.kind !== "single") throw new Error("expected a single result");
    return response.body.singleResult;
  }
  const context = (headers: Record<string, string> = {}) => contextOf({ headers });
  const execute = async <T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    executeIn<T>(await context(headers), query, variables, headers);
  return {
    server,
    context,
    executeIn,
    execute,
    executeAs: async (query, variables, user) =>
      execute(query, variables, user ? await bearer(user.userId, user.scopes ?? ["profile"]) : {}),
    stop: () => server.stop(),
  };
}

/**
 * The same, as this test file's fixture: started in `beforeAll`, stopped in `afterAll` (then `deps.db` is
 * disconnected). Use it after the hooks ran (in tests), never at module level.
 */
export function useInProcess<TDeps extends { db: { $disconnect(): Promise<void> } }, TContext extends BaseContext>(
  subgraph: SubgraphFactory<TDeps, TContext>,
  deps: TDeps,
): InProcessSubgraph<TContext> {
  let started: InProcessSubgraph<TContext> | undefined;
  beforeAll(async () => {
    started = await startInProcess(subgraph, deps);
  });
  afterAll(async () => {
    await started?.stop();
    await deps.db.$disconnect();
  });
  const running = (): InProcessSubgraph<TContext> => {
    if (!started) throw new Error("the subgraph is not started: use it inside a test");
    return started;
  };
  return {
    get server() {
      return running().server;
    },
    context: (headers) => running().context(headers),
    execute: (query, variables, headers) => running().execute(query, variables, headers),
    executeAs: (query, variables, user) => running().executeAs(query, variables, user),
    executeIn: (contextValue, query, variables, headers) =>
      running().executeIn(contextValue, query, variables, headers),
    stop: () => running().stop(),
  };
}

const signers = new Map<string, ReturnType<typeof createTokenSigner>>();

/** An access token for `userId` holding `scopes`, signed with `secret` (the development one, which test configs use, by default). */
export function accessToken(
  userId: string,
  scopes: readonly string[],
  secret: string = DEV_JWT_SECRET,
): Promise<string> {
  let signer = signers.get(secret);
  if (!signer) signers.set(secret, (signer = createTokenSigner({ secret, ttlSeconds: 300 })));
  return signer.sign(userId, scopes);
}

/** The Authorization header of {@link accessToken}. */
export async function bearer(
  userId: string,
  scopes: readonly string[],
  secret?: string,
): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await accessToken(userId, scopes, secret)}` };
}

/**
 * The checks every subgraph's schema passes, as a `describe` block: `_service { sdl }` serves `schemaFile` (plus only
 * what federation adds by definition; both printed through the same parser and printer, so only formatting is
 * ignored), and every type, field, argument, input field and enum value has a description.
 */
export function describeSubgraphSchema(
  subgraph: Pick<InProcessSubgraph<BaseContext>, "execute">,
  schemaFile: URL,
): void {
  describe("schema", () => {
    const file = readFile(schemaFile, "utf8");

    it("serves schema.graphql as its _service SDL, with nothing but federation's own additions", async () => {
      const result = await subgraph.execute<{ _service: { sdl: string } }>("{ _service { sdl } }");
      expect(result.errors).toBeUndefined();
      expect(normalizedServedSdl(result.data?._service.sdl ?? "")).toBe(print(parse(await file)));
    });

    it("documents every type, field, argument, input field and enum value", async () => {
      expect(undocumented(await file)).toEqual([]);
    });
  });
}

/**
 * The kit's deps for a server that must answer before any SQL (shield, validation, `_service`): the config
 * `loadConfig` reads from `env` over Postgres on 127.0.0.1:1 (nothing listens there), test mode and silent logs, a
 * one-connection client that never connects until a query, and a silent logger. A subgraph adds its own deps.
 */
export function offlineDeps<TConfig extends SubgraphConfig>(
  loadConfig: (env: Env) => TConfig,
  env: Env = {},
): SubgraphDeps<TConfig> {
  const config = loadConfig({
    DATABASE_URL: "postgresql://test@127.0.0.1:1/none",
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ...env,
  });
  return {
    db: createDb(config.databaseUrl, { poolSize: 1 }),
    logger: createLogger(config.telemetry.serviceName, "silent"),
    config,
  };
}

/** The problems a config loader reports for `env` (its ConfigError's list); throws when it accepts `env`. */
export function configProblems(loadConfig: (env: Env) => unknown, env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be refused with a ConfigError");
}
