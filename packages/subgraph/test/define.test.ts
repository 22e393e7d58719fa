import { afterAll, describe, expect, it } from "vitest";
import { createTokenSigner, DEV_JWT_SECRET } from "@commerce/auth";
import { createLogger } from "@commerce/common";
import { createMemoryCache } from "@commerce/cache";
import { createDb } from "@commerce/db";
import type { SubgraphTelemetry } from "@commerce/telemetry";
import {
  defineSubgraph,
  loadSubgraphConfig,
  runSubgraph,
  type CachedSubgraphDeps,
  type SubgraphConfig,
  type SubgraphContext,
  type SubgraphDeps,
  type Worker,
} from "../src/index.js";

// Nothing listens on port 1: these tests never reach Postgres.
const env = { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent" };
const loadConfig = (overrides: Record<string, string | undefined> = {}): SubgraphConfig =>
  loadSubgraphConfig({ service: "fixture", port: 0 }, { ...env, ...overrides });

interface FixtureContext extends SubgraphContext {
  /** Built once per server, shared by every request. */
  shared: object;
  /** Fresh per request. */
  fresh: object;
}

function fixture(workers: (deps: SubgraphDeps) => Worker[] = () => []) {
  return defineSubgraph({
    schema: new URL("./fixtures/schema.graphql", import.meta.url),
    resolvers: {
      Query: {
        whoami: (_: unknown, __: unknown, { viewer }: FixtureContext) => viewer?.userId ?? null,
        requestId: (_: unknown, __: unknown, context: FixtureContext) => context.requestId,
      },
    },
    loadConfig,
    withoutRedis: "the fixture needs none",
    deps: ({ db, logger, config, telemetry }): SubgraphDeps => ({ db, logger, config, telemetry }),
    context(): (request: SubgraphContext) => FixtureContext {
      const shared = {};
      return (request) => ({ ...request, shared, fresh: {} });
    },
    workers,
  });
}

const db = createDb(env.DATABASE_URL, { poolSize: 1 });
const logger = createLogger("fixture", "silent");
afterAll(() => db.$disconnect());

async function execute(deps: SubgraphDeps, query: string, headers: Record<string, string> = {}) {
  const subgraph = fixture();
  const server = subgraph.createServer(deps);
  await server.start();
  try {
    const response = await server.executeOperation(
      { query },
      { contextValue: await subgraph.createContext(deps)({ headers }) },
    );
    if (response.body.kind !== "single") throw new Error("expected a single result");
    return response.body.singleResult;
  } finally {
    await server.stop();
  }
}

describe("defineSubgraph", () => {
  it("builds each request's context from the kit's part (viewer, request id) and the subgraph's own", async () => {
    const subgraph = fixture();
    const contextOf = subgraph.createContext({ db, logger, config: loadConfig() });
    const token = await createTokenSigner({ secret: DEV_JWT_SECRET, ttlSeconds: 60 }).sign("user-1", ["profile"]);
    const [signedIn, anonymous] = [
      await contextOf({ headers: { authorization: `Bearer ${token}`, "x-request-id": "req-1" } }),
      await contextOf({ headers: {} }),
    ];
    expect(signedIn.db).toBe(db);
    expect(signedIn).toMatchObject({ requestId: "req-1", viewer: { userId: "user-1" } });
    expect(anonymous.viewer).toBeNull();
    expect(anonymous.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(anonymous.shared).toBe(signedIn.shared);
    expect(anonymous.fresh).not.toBe(signedIn.fresh);
  });

  it("serves the schema and answers introspection except in production", async () => {
    const development = { db, logger, config: loadConfig() };
    expect((await execute(development, "{ whoami requestId }", { "x-request-id": "req-2" })).data).toEqual({
      whoami: null,
      requestId: "req-2",
    });
    expect((await execute(development, "{ __schema { queryType { name } } }")).data).toEqual({
      __schema: { queryType: { name: "Query" } },
    });
    const production = { db, logger, config: { ...loadConfig(), nodeEnv: "production" as const } };
    const refused = await execute(production, "{ __schema { queryType { name } } }");
    expect(refused.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("the kit's deps", () => {
  const resources = {
    db,
    logger,
    config: loadConfig(),
    cache: createMemoryCache(),
    redis: undefined,
    connectRedis: undefined,
    telemetry: undefined as unknown as SubgraphTelemetry,
  };

  it("are the connections as they are when a subgraph adds none (db, cache, logger, config, telemetry)", () => {
    const subgraph = defineSubgraph({
      schema: new URL("./fixtures/schema.graphql", import.meta.url),
      resolvers: {},
      loadConfig,
      withoutRedis: "the fixture needs none",
      context: (_deps: CachedSubgraphDeps) => (request: SubgraphContext) => request,
    });
    const { db: kitDb, cache, logger: kitLogger, config, telemetry } = resources;
    expect(subgraph.deps(resources)).toEqual({ db: kitDb, cache, logger: kitLogger, config, telemetry });
  });

  it("are the subgraph's own when it says how to build them (required when its deps are more than the kit's)", () => {
    interface WithClient extends SubgraphDeps {
      client: object;
    }
    const client = {};
    const definition = {
      schema: new URL("./fixtures/schema.graphql", import.meta.url),
      resolvers: {},
      loadConfig,
      withoutRedis: "the fixture needs none",
      context: (_deps: WithClient) => (request: SubgraphContext) => request,
    };
    // @ts-expect-error the kit's deps have no `client`, so a definition whose deps do must build them
    defineSubgraph(definition);
    const subgraph = defineSubgraph({
      ...definition,
      deps: ({ db, logger, config }) => ({ db, logger, config, client }),
    });
    expect(subgraph.deps(resources).client).toBe(client);
  });
});

describe("runSubgraph", () => {
  it("starts the workers once the server listens, and on shutdown stops the consumers before requests drain and the rest after", async () => {
    const events: string[] = [];
    let url = "";
    const answers = async () =>
      fetch(url.replace("/graphql", "/health")).then(
        (r) => r.ok,
        () => false,
      );
    const worker = (name: string, stopWhen: Worker["stopWhen"]): Worker => ({
      name,
      stopWhen,
      start: () => void events.push(`${name} started`),
      async stop() {
        events.push(`${name} stopping while the server ${(await answers()) ? "answers" : "is closed"}`);
      },
    });
    const running = await runSubgraph(
      fixture(() => [worker("consumer", "beforeDrain"), worker("relay", "afterDrain")]),
    );
    url = running.served.url;
    expect(events).toEqual(["consumer started", "relay started"]);
    expect(running.connectRedis).toBeUndefined();
    await running.shutdown();
    expect(events).toEqual([
      "consumer started",
      "relay started",
      "consumer stopping while the server answers",
      "relay stopping while the server is closed",
    ]);
    expect(await answers()).toBe(false);
  });
});
