import { afterEach, describe, expect, it } from "vitest";
import { bearer, execute, startLocalRouter } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startRouter = (env: Record<string, string> = {}) => startLocalRouter(cleanups, env);

const FAVORITES = "{ me { name favorites { id name price } } }";
const INTROSPECTION = "{ __schema { queryType { name } } }";

describe("createRouter", () => {
  it("answers a query that joins both subgraphs", async () => {
    const { router } = await startRouter();
    const result = await execute(router, FAVORITES, { headers: { authorization: await bearer() } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      me: {
        name: "Ada",
        favorites: [
          { id: "p1", name: "Kettle", price: 2999 },
          { id: "p2", name: "Teapot", price: 1999 },
        ],
      },
    });
  });

  it("hands the caller's Authorization and request id to the subgraph", async () => {
    const { router, seen } = await startRouter();
    const authorization = await bearer();
    const result = await execute(router, "{ me { name } }", { headers: { authorization, "x-request-id": "req-1" } });
    expect(result.data).toEqual({ me: { name: "Ada" } });
    expect(seen).toEqual([{ authorization, requestId: "req-1" }]);
    expect(result.headers.get("x-request-id")).toBe("req-1");
  });

  it("rejects operations deeper than MAX_QUERY_DEPTH with HTTP 400 before any subgraph call", async () => {
    const { router, seen } = await startRouter({ MAX_QUERY_DEPTH: "1" });
    const result = await execute(router, FAVORITES);
    expect(result.status).toBe(400);
    expect(result.errors?.map((e) => e.extensions)).toEqual([
      { code: "MAX_DEPTH_LIMIT", limit: { measured: 2, max: 1 } },
    ]);
    expect(seen).toEqual([]);
  });

  it("answers introspection in development", async () => {
    const { router } = await startRouter();
    const result = await execute(router, INTROSPECTION);
    expect(result.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("refuses introspection in production", async () => {
    const { router } = await startRouter({ NODE_ENV: "production" });
    const result = await execute(router, INTROSPECTION);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.data).toBeUndefined();
  });

  it("does not put stack traces in error responses", async () => {
    const { router } = await startRouter();
    const result = await execute(router, "{ nope }");
    expect(result.errors?.[0]?.extensions).not.toHaveProperty("stacktrace");
  });
});
