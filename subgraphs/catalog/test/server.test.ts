import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse, print } from "graphql";
import { createTokenSigner, DEV_JWT_SECRET, Scope } from "@commerce/auth";
import { createMemoryCache } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { normalizedServedSdl, undocumented } from "@commerce/subgraph";
import { defined, errorCodes } from "@commerce/testing";
import { loadConfig } from "../src/config.js";
import { createContext, createServer, type CatalogDeps } from "../src/server.js";

// Nothing listens on port 1: any SQL fails, which is what the masking test needs. The
// other tests here must be answered before any SQL (SDL, permissions, argument checks).
const config = loadConfig({ DATABASE_URL: "postgresql://catalog@127.0.0.1:1/none", NODE_ENV: "test", LOG_LEVEL: "silent" });
const logger = createLogger("catalog", "silent");
const deps: CatalogDeps = { db: createDb(config.databaseUrl, { poolSize: 1 }), cache: createMemoryCache(), logger, config };
const server = createServer(deps);
const context = createContext(deps);

beforeAll(async () => server.start());
afterAll(async () => {
  await server.stop();
  await deps.db.$disconnect();
});

async function execute(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await server.executeOperation({ query, variables }, { contextValue: await context({ headers }) });
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return response.body.singleResult;
}

const signer = createTokenSigner({ secret: DEV_JWT_SECRET, ttlSeconds: 60 });
const UPDATE = `mutation { updateProduct(input: { id: "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d", available: false }) { product { id } } }`;

describe("schema", () => {
  const file = readFile(new URL("../schema.graphql", import.meta.url), "utf8");

  it("serves schema.graphql as its _service SDL, with nothing but federation's own additions", async () => {
    const result = await execute("{ _service { sdl } }");
    const served = defined((result.data as { _service: { sdl: string } } | undefined)?._service.sdl, "sdl");
    // Both through the same parser and printer: only formatting is ignored, never content or order.
    expect(normalizedServedSdl(served)).toBe(print(parse(await file)));
  });

  it("documents every type, field, argument and input field", async () => {
    expect(undocumented(await file)).toEqual([]);
  });
});

describe("permissions", () => {
  it("answers UNAUTHENTICATED to an anonymous mutation", async () => {
    expect(errorCodes((await execute(UPDATE)).errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers FORBIDDEN without the catalog:write scope", async () => {
    const token = await signer.sign("customer-1", ["orders:read"]);
    const result = await execute(UPDATE, {}, { authorization: `Bearer ${token}` });
    expect(errorCodes(result.errors)).toEqual(["FORBIDDEN"]);
    expect(result.errors?.[0]?.extensions?.requiredScope).toBe(Scope.CATALOG_WRITE);
  });

  it("fails the request with UNAUTHENTICATED (HTTP 401) on an invalid token instead of going anonymous", async () => {
    const invalid = context({ headers: { authorization: "Bearer not-a-jwt" } });
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
      const result = await execute(`{ product(id: "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d") { name } }`, {}, { "x-request-id": "req-42" });
      expect(result.errors).toEqual([{ message: "Internal server error", path: ["product"], extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
      expect(childSpy).toHaveBeenCalledWith({ requestId: "req-42" });
      expect(errorSpies).toHaveLength(1);
      expect(errorSpies[0]).toHaveBeenCalledTimes(1);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
