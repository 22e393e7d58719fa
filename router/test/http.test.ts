import { ApolloServer } from "@apollo/server";
import { serveGraphQL, type Served } from "@commerce/http";
import { defined, postGraphQL } from "@commerce/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "../src/server.js";
import {
  composeSupergraph,
  subgraphSchemas,
  type SeenRequest,
  type SubgraphTestContext,
} from "./fixtures/subgraphs.js";
import { bearer, silentLogger, tempSupergraph, testConfig } from "./helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOOPBACK = "127.0.0.1";
const cleanups: (() => Promise<void>)[] = [];
const seen: SeenRequest[] = [];

/** Serves the inline subgraphs over real HTTP so headers travel as they do in production. */
async function serveSubgraphs(): Promise<{ accounts: Served; catalog: Served }> {
  const schemas = subgraphSchemas(seen);
  const serve = (name: keyof typeof schemas) =>
    serveGraphQL<SubgraphTestContext>({
      apollo: () => new ApolloServer<SubgraphTestContext>({ schema: schemas[name], logger: silentLogger }),
      context: async (req) => ({ authorization: req.headers.authorization, requestId: req.header("x-request-id") }),
      host: LOOPBACK,
      port: 0,
    });
  const [accounts, catalog] = await Promise.all([serve("accounts"), serve("catalog")]);
  cleanups.push(accounts.stop, catalog.stop);
  return { accounts, catalog };
}

/** Serves a router the way index.ts does; its supergraph names unreachable hosts, so only the overrides can work. */
async function serveRouter(env: Record<string, string>): Promise<{ url: string; origin: string }> {
  const file = await tempSupergraph(composeSupergraph());
  const router = createRouter({ config: testConfig(file.path, env), logger: silentLogger });
  const served = await serveGraphQL({ ...router, apollo: () => router.apollo, host: LOOPBACK, port: 0 });
  cleanups.push(file.remove, served.stop);
  return { url: served.url, origin: new URL(served.url).origin };
}

let dev: { url: string; origin: string };
let prod: { url: string; origin: string };

beforeAll(async () => {
  const { accounts, catalog } = await serveSubgraphs();
  const overrides = { SUBGRAPH_ACCOUNTS_URL: accounts.url, SUBGRAPH_CATALOG_URL: catalog.url };
  dev = await serveRouter(overrides);
  prod = await serveRouter({ ...overrides, NODE_ENV: "production", CORS_ORIGINS: "https://shop.example.com" });
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("router over HTTP", () => {
  it("answers /health", async () => {
    const response = await fetch(`${dev.origin}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("joins both subgraphs at their overridden URLs, forwarding Authorization and the request id", async () => {
    seen.length = 0;
    const authorization = await bearer();
    const result = await postGraphQL(
      dev.url,
      "{ me { name favorites { name } } }",
      {},
      { authorization, "x-request-id": "client-7" },
    );
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ me: { name: "Ada", favorites: [{ name: "Kettle" }, { name: "Teapot" }] } });
    expect(seen).toEqual([{ authorization, requestId: "client-7" }]);
    expect(result.headers.get("x-request-id")).toBe("client-7");
  });

  it("generates a request id when the caller sends none (or an unsafe one) and uses it downstream", async () => {
    const cases: Record<string, string>[] = [{}, { "x-request-id": "not a safe id!" }];
    for (const headers of cases) {
      seen.length = 0;
      const result = await postGraphQL(dev.url, "{ me { name } }", {}, headers);
      expect(result.data).toEqual({ me: null });
      const id = defined(result.headers.get("x-request-id"), "x-request-id");
      expect(id).toMatch(UUID);
      expect(seen).toEqual([{ authorization: undefined, requestId: id }]);
    }
  });

  it("serves the Apollo Sandbox landing page to browsers in development", async () => {
    const response = await fetch(`${dev.origin}/`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.url).toBe(dev.url);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("EmbeddedSandbox");
  });

  it("serves no Sandbox in production", async () => {
    const response = await fetch(prod.url, { headers: { accept: "text/html" } });
    expect(await response.text()).not.toContain("EmbeddedSandbox");
    const introspection = await postGraphQL(prod.url, "{ __schema { queryType { name } } }");
    expect(introspection.status).toBe(400);
  });

  it("allows Studio's origin in development and only the configured origins in production", async () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } }).then((r) =>
        r.headers.get("access-control-allow-origin"),
      );
    expect(await preflight(dev.url, "https://studio.apollographql.com")).toBe("https://studio.apollographql.com");
    expect(await preflight(dev.url, "https://evil.example.com")).toBeNull();
    expect(await preflight(prod.url, "https://shop.example.com")).toBe("https://shop.example.com");
    expect(await preflight(prod.url, "https://studio.apollographql.com")).toBeNull();
  });

  it("blocks simple cross-site GET requests (CSRF prevention)", async () => {
    const response = await fetch(`${dev.url}?query=${encodeURIComponent("{ __typename }")}`);
    expect(response.status).toBe(400);
  });
});
