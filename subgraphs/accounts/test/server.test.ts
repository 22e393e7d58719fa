import DataLoader from "dataloader";
import { describe, expect, it } from "vitest";
import { createTokenSigner } from "@commerce/auth";
import { createMemoryCache } from "@commerce/cache";
import { defined, errorCodes } from "@commerce/testing";
import { describeSubgraphSchema, offlineDeps, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import type { Context } from "../src/context.js";
import { subgraph, type AccountsDeps } from "../src/server.js";

// Nothing listens on port 1: a query that reached Postgres would fail loudly. These tests need none.
const deps: AccountsDeps = { ...offlineDeps(loadConfig, { PASSWORD_HASH_COST: "10" }), cache: createMemoryCache() };
const { config } = deps;
const graph = useInProcess(subgraph, deps);
const contextFor = subgraph.createContext(deps);
const execute = (query: string, contextValue: Context, variables: Record<string, unknown> = {}) =>
  graph.executeIn(contextValue, query, variables);

describeSubgraphSchema(graph, new URL("../schema.graphql", import.meta.url));

describe("createContext", () => {
  const signer = createTokenSigner({ secret: config.jwtSecret, ttlSeconds: 60 });

  it("is anonymous without an Authorization header", async () => {
    const context = await contextFor({ headers: {} });
    expect(context.viewer).toBeNull();
    expect((await execute("{ me { id } }", context)).data).toEqual({ me: null });
  });

  it("verifies a Bearer access token into a viewer with its scopes", async () => {
    const token = await signer.sign("3f1c2f8e-8a57-4a7b-9d0e-0d5d8b1e4a11", ["profile", "favorites"]);
    const context = await contextFor({ headers: { authorization: `Bearer ${token}` } });
    expect(context.viewer?.userId).toBe("3f1c2f8e-8a57-4a7b-9d0e-0d5d8b1e4a11");
    expect([...defined(context.viewer).scopes]).toEqual(["profile", "favorites"]);
  });

  it("gives fresh loaders to every request", async () => {
    const [a, b] = await Promise.all([contextFor({ headers: {} }), contextFor({ headers: {} })]);
    expect(a.loaders.userById).not.toBe(b.loaders.userById);
  });

  it.each([
    [
      "an expired token",
      async () => `Bearer ${await createTokenSigner({ secret: config.jwtSecret, ttlSeconds: -60 }).sign("u", [])}`,
      "TOKEN_EXPIRED",
    ],
    [
      "a token signed with another secret",
      async () => `Bearer ${await createTokenSigner({ secret: "x".repeat(40), ttlSeconds: 60 }).sign("u", [])}`,
      "TOKEN_INVALID",
    ],
    ["garbage", async () => "Bearer not-a-jwt", "TOKEN_INVALID"],
    ["another scheme", async () => "Basic dXNlcjpwYXNz", "TOKEN_INVALID"],
  ])("refuses %s with UNAUTHENTICATED and HTTP 401", async (_what, header, reason) => {
    const failure = await contextFor({ headers: { authorization: await header() } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ extensions: { code: "UNAUTHENTICATED", reason, http: { status: 401 } } });
  });
});

describe("error handling", () => {
  it("masks unexpected errors as INTERNAL_SERVER_ERROR without their message", async () => {
    const context = await contextFor({ headers: {} });
    context.loaders.userById = new DataLoader<string, null>(async () => {
      throw new Error("connection to 10.0.0.7 refused: secret detail");
    });
    const result = await execute(`query ($id: ID!) { user(id: $id) { id } }`, context, {
      id: "3f1c2f8e-8a57-4a7b-9d0e-0d5d8b1e4a11",
    });
    expect(errorCodes(result.errors)).toEqual(["INTERNAL_SERVER_ERROR"]);
    expect(JSON.stringify(result.errors)).not.toContain("secret detail");
    expect(result.errors?.[0]?.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
  });

  it("passes coded errors through", async () => {
    const result = await execute(
      `mutation { addFavorite(input: { productId: "x" }) { user { id } } }`,
      await contextFor({ headers: {} }),
    );
    expect(errorCodes(result.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("passes Apollo's request errors through", async () => {
    const result = await execute("{ nope }", await contextFor({ headers: {} }));
    expect(errorCodes(result.errors)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("answers null for ids that cannot exist, without asking Postgres", async () => {
    const result = await execute(`{ user(id: "not-a-uuid") { id } }`, await contextFor({ headers: {} }));
    expect(result).toEqual({ data: { user: null } });
  });
});
