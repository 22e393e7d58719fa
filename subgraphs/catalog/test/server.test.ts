import { describe, expect, it, vi } from "vitest";
import { Scope } from "@commerce/auth";
import { createMemoryCache } from "@commerce/cache";
import { errorCodes } from "@commerce/testing";
import { bearer, describeSubgraphSchema, offlineDeps, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph, type CatalogDeps } from "../src/server.js";

// Nothing listens on port 1: any SQL fails, which is what the masking test needs. The
// other tests here must be answered before any SQL (SDL, permissions, argument checks).
const deps: CatalogDeps = { ...offlineDeps(loadConfig), cache: createMemoryCache() };
const { logger } = deps;
const graph = useInProcess(subgraph, deps);
const execute = graph.execute;

const UPDATE = `mutation { updateProduct(input: { id: "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d", available: false }) { product { id } } }`;

describeSubgraphSchema(graph, new URL("../schema.graphql", import.meta.url));

describe("permissions", () => {
  it("answers UNAUTHENTICATED to an anonymous mutation", async () => {
    expect(errorCodes((await execute(UPDATE)).errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers FORBIDDEN without the catalog:write scope", async () => {
    const result = await execute(UPDATE, {}, await bearer("customer-1", ["orders:read"]));
    expect(errorCodes(result.errors)).toEqual(["FORBIDDEN"]);
    expect(result.errors?.[0]?.extensions?.requiredScope).toBe(Scope.CATALOG_WRITE);
  });

  it("fails the request with UNAUTHENTICATED (HTTP 401) on an invalid token instead of going anonymous", async () => {
    const invalid = graph.context({ authorization: "Bearer not-a-jwt" });
    await expect(invalid).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  });
});

describe("errors", () => {
  it("rejects bad arguments before touching the database", async () => {
    const result = await execute(`{ products(first: 101) { totalCount } }`);
    expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions).toMatchObject({ field: "first", max: 100 });
  });

  it("keeps Apollo's own request errors", async () => {
    expect(errorCodes((await execute(`{ products { nope } }`)).errors)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("masks an unexpected failure as INTERNAL_SERVER_ERROR without details, and logs it with the request id", async () => {
    const child = logger.child.bind(logger);
    const errorSpies: unknown[] = [];
    const childSpy = vi.spyOn(logger, "child").mockImplementation((...args) => {
      const requestLogger = child(...args);
      errorSpies.push(vi.spyOn(requestLogger, "error"));
      return requestLogger;
    });
    try {
      const result = await execute(
        `{ product(id: "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d") { name } }`,
        {},
        { "x-request-id": "req-42" },
      );
      expect(result.errors).toEqual([
        { message: "Internal server error", path: ["product"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
      ]);
      expect(childSpy).toHaveBeenCalledWith({ requestId: "req-42" });
      expect(errorSpies).toHaveLength(1);
      expect(errorSpies[0]).toHaveBeenCalledTimes(1);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
