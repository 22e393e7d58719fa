import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createLogger } from "@commerce/common";
import { DEMO_USERS } from "@commerce/db";
import { serveGraphQL } from "@commerce/http";
import { defined, postGraphQL, type GraphQLResponse } from "@commerce/testing";
import { loadConfig } from "../../src/config.js";
import { createRouter } from "../../src/server.js";
import { bearer, E2E_ROUTER_SECRET, logIn, seedGraphData } from "./graph.js";
import { startSubgraphProcess, type SubgraphProcess } from "./processes.js";

// Faults done for real: subgraph processes killed, restarted and paused (SIGSTOP: the kernel still accepts the
// connection, nothing answers), the router in production mode in process so its log lines can be read.

const JWT_SECRET = "e2e-resilience-jwt-secret-0123456789abcdef";
const BREAKER_OPEN_MS = 1500;
const FETCH_TIMEOUT_MS = 1000;
const STOREFRONT = "{ products(first: 3) { edges { node { name rating { average } } } } }";

type Storefront = { products: { edges: { node: { name: string; rating: { average: number | null } | null } }[] } };

interface ServedRouter {
  url: string;
  lines: Record<string, unknown>[];
  stop: () => Promise<void>;
}

const subgraphs: Record<"accounts" | "catalog" | "reviews", SubgraphProcess> = {} as never;
const routers: ServedRouter[] = [];

async function serveRouter(env: Record<string, string>): Promise<ServedRouter> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("router", "info", {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const router = createRouter({
    config: loadConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      JWT_SECRET,
      ROUTER_SECRET: E2E_ROUTER_SECRET,
      SUBGRAPH_ACCOUNTS_URL: subgraphs.accounts.url,
      SUBGRAPH_CATALOG_URL: subgraphs.catalog.url,
      SUBGRAPH_REVIEWS_URL: subgraphs.reviews.url,
      SUBGRAPH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
      // logIn verifies a password hash on a shared machine: a per-subgraph timeout gives it room.
      SUBGRAPH_ACCOUNTS_TIMEOUT_MS: "20000",
      SUBGRAPH_BREAKER_FAILURES: "3",
      SUBGRAPH_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
      SUBGRAPH_BREAKER_SETTLE_MS: "1000",
      ...env,
    }),
    logger,
  });
  const served = await serveGraphQL({ ...router, apollo: () => router.apollo, host: "127.0.0.1", port: 0 });
  const result = { url: served.url, lines, stop: served.stop };
  routers.push(result);
  return result;
}

const storefront = (router: ServedRouter) => postGraphQL<Storefront>(router.url, STOREFRONT);

async function ready(router: ServedRouter): Promise<{
  status: number;
  body: { status: string; checks: Record<string, { ok: boolean; degraded?: boolean; detail?: string }> };
}> {
  const response = await fetch(new URL("/ready", router.url));
  return { status: response.status, body: (await response.json()) as never };
}

/** Repeats `attempt` until `done` holds of its result (bounded), returning that result. */
async function until<T>(
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

const codesOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);

let router: ServedRouter;
/** The same router on @apollo/gateway's executor (the default is the router's own): same data sources, through `process()`. */
let apolloRouter: ServedRouter;

beforeAll(async () => {
  const databaseUrl = inject("databaseUrl");
  const redisUrl = inject("redisUrl");
  (await seedGraphData(databaseUrl, redisUrl)).disconnect();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    NODE_ENV: "test",
    JWT_SECRET,
    ROUTER_SECRET: E2E_ROUTER_SECRET,
    PASSWORD_HASH_COST: "10",
  };
  const [accounts, catalog, reviews] = await Promise.all(
    ["accounts", "catalog", "reviews"].map((name) => startSubgraphProcess(name, env)),
  );
  Object.assign(subgraphs, { accounts, catalog, reviews });
  // Each process's first queries are slow (connection pools, code warming up): a patient router takes them, so the
  // 1-second fetch timeout of the router under test measures faults, not a cold start.
  const warmUp = await serveRouter({ SUBGRAPH_TIMEOUT_MS: "30000" });
  expect((await storefront(warmUp)).errors).toBeUndefined();
  router = await serveRouter({});
  apolloRouter = await serveRouter({ ROUTER_EXECUTOR: "apollo" });
}, 120_000);

afterAll(async () => {
  for (const served of routers) await served.stop();
  await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
});

describe("a subgraph process killed and restarted", () => {
  it("serves names and ratings while every subgraph is up", async () => {
    const response = await storefront(router);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data?.products.edges).toHaveLength(3);
    for (const { node } of defined(response.data).products.edges) expect(node.rating).not.toBeNull();
  });

  it("answers names with rating null and a coded error at each rating's path when reviews is killed (HTTP 200, production masking)", async () => {
    await subgraphs.reviews.kill();
    const response = await storefront(router);
    expect(response.status).toBe(200);
    const edges = defined(response.data).products.edges;
    expect(edges.map(({ node }) => typeof node.name)).toEqual(["string", "string", "string"]);
    expect(edges.map(({ node }) => node.rating)).toEqual([null, null, null]);
    expect(response.errors?.map((e) => e.path)).toEqual(
      [0, 1, 2].map((i) => ["products", "edges", i, "node", "rating"]),
    );
    for (const error of response.errors ?? []) {
      expect(error.extensions).toEqual({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "reviews",
        reason: expect.any(String) as string,
      });
      // Production masking keeps the code and a message written for clients (never "Internal server error.").
      expect(error.message).toMatch(/^The reviews service is unavailable/);
    }
    const line = router.lines.findLast((l) => l.msg === "graphql operation");
    expect(line).toMatchObject({
      outcome: "partial",
      subgraphErrors: [{ subgraph: "reviews", code: "SUBGRAPH_UNAVAILABLE" }],
    });

    // @apollo/gateway's executor answers the same.
    const apollo = await storefront(apolloRouter);
    expect(apollo.status).toBe(200);
    expect(apollo.data).toEqual(response.data);
    expect(apollo.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName])).toEqual(
      response.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName]),
    );
  });

  it("opens the breaker: calls fail fast with SUBGRAPH_CIRCUIT_OPEN and /ready reports reviews degraded, still ready", async () => {
    const response = await until(
      () => storefront(router),
      (r) => codesOf(r).includes("SUBGRAPH_CIRCUIT_OPEN"),
      { timeoutMs: 5000, intervalMs: 0 },
    );
    expect(codesOf(response)).toEqual(["SUBGRAPH_CIRCUIT_OPEN", "SUBGRAPH_CIRCUIT_OPEN", "SUBGRAPH_CIRCUIT_OPEN"]);
    expect(defined(response.data).products.edges).toHaveLength(3);
    expect(
      router.lines.some((l) => l.msg === "subgraph circuit open: calls fail fast" && l.subgraph === "reviews"),
    ).toBe(true);

    const report = await ready(router);
    expect(report.status).toBe(200);
    expect(report.body.status).toBe("degraded");
    expect(report.body.checks["subgraph:reviews"]).toMatchObject({
      ok: true,
      degraded: true,
      detail: expect.stringMatching(/^circuit (open|half-open) since .*SUBGRAPH_UNAVAILABLE/) as string,
    });
    expect(report.body.checks["subgraph:catalog"]).toEqual({ ok: true, ms: expect.any(Number) as number });
  });

  it("half-opens, probes and closes by itself once reviews is back; /ready settles back to ready", async () => {
    await subgraphs.reviews.restart();
    const recovered = await until(
      () => storefront(router),
      (r) => r.errors === undefined,
      { timeoutMs: BREAKER_OPEN_MS + 10_000 },
    );
    expect(recovered.errors).toBeUndefined();
    for (const { node } of defined(recovered.data).products.edges) expect(node.rating).not.toBeNull();
    const transitions = router.lines
      .filter((l) => l.subgraph === "reviews" && typeof l.breaker === "string")
      .map((l) => l.breaker);
    expect(transitions.slice(-3)).toEqual(["open", "half-open", "closed"]);
    const settled = await until(
      () => ready(router),
      (r) => r.body.status === "ready",
      { timeoutMs: 5000 },
    );
    expect(settled.body.status).toBe("ready");
  });
});

describe("a subgraph that stops answering", () => {
  it("is a SUBGRAPH_TIMEOUT after the fetch timeout, the rest of the response stands", async () => {
    subgraphs.reviews.pause();
    try {
      const started = performance.now();
      const response = await storefront(router);
      const elapsed = performance.now() - started;
      expect(response.status).toBe(200);
      expect(codesOf(response)).toEqual(["SUBGRAPH_TIMEOUT", "SUBGRAPH_TIMEOUT", "SUBGRAPH_TIMEOUT"]);
      expect(response.errors?.[0]?.extensions?.reason).toBe(`no answer within ${FETCH_TIMEOUT_MS} ms`);
      expect(
        defined(response.data).products.edges.every(({ node }) => node.rating === null && node.name.length > 0),
      ).toBe(true);
      // Bounded (the fetch timeout is not retried), never a hang; not a timing assertion beyond that.
      expect(elapsed).toBeLessThan(FETCH_TIMEOUT_MS * 5);
    } finally {
      subgraphs.reviews.resume();
    }
  });

  it("answers 504 GATEWAY_TIMEOUT at the request deadline when a hung subgraph holds the whole response", async () => {
    const strict = await serveRouter({ ROUTER_REQUEST_TIMEOUT_MS: "600", SUBGRAPH_TIMEOUT_MS: "10000" });
    subgraphs.catalog.pause();
    try {
      const started = performance.now();
      const response = await storefront(strict);
      expect(response.status).toBe(504);
      expect(response.data).toBeUndefined();
      expect(response.errors).toEqual([
        { message: expect.any(String) as string, extensions: { code: "GATEWAY_TIMEOUT", timeoutMs: 600 } },
      ]);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(strict.lines.findLast((l) => l.msg === "graphql operation")).toMatchObject({
        errors: ["GATEWAY_TIMEOUT"],
      });
    } finally {
      subgraphs.catalog.resume();
    }
  });
});

describe("de-duplication over the real graph", () => {
  it("never gives one caller another caller's answer", async () => {
    const caller = async (email: string) => {
      const session = await logIn(router.url, email);
      return { ...bearer(session.token), userId: session.userId };
    };
    const callers = [await caller(DEMO_USERS.customer), await caller(DEMO_USERS.staff)];
    const requests = Array.from({ length: 20 }, (_, i) => defined(callers[i % 2]));
    const responses = await Promise.all(
      requests.map((caller) =>
        postGraphQL<{ me: { id: string } }>(
          router.url,
          "{ me { id displayName } }",
          {},
          { authorization: caller.authorization },
        ),
      ),
    );
    expect(responses.map((r) => r.data?.me.id)).toEqual(requests.map((caller) => caller.userId));
  });
});
