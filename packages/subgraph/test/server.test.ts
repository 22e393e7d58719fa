import { describe, expect, it } from "vitest";
import { HeaderMap } from "@apollo/server";
import { parse } from "graphql";
import { createLogger } from "@commerce/common";
import { createSubgraphServer } from "../src/index.js";

const logger = createLogger("test", "silent");

async function answer(typeDefs: string, resolvers: object) {
  const server = createSubgraphServer({ typeDefs: parse(typeDefs), resolvers, logger });
  await server.start();
  try {
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: "POST",
        headers: new HeaderMap([["content-type", "application/json"]]),
        search: "",
        body: { query: "{ hello }" },
      },
      context: async () => ({}),
    });
    return {
      cacheControl: response.headers.get("cache-control"),
      body: response.body.kind === "complete" ? response.body.string : "",
    };
  } finally {
    await server.stop();
  }
}

describe("createSubgraphServer", () => {
  it("answers `cache-control: no-store`, as Apollo's cache-control plugin does for a schema without cache hints", async () => {
    const { cacheControl, body } = await answer("type Query { hello: String }", { Query: { hello: () => "world" } });
    expect(JSON.parse(body)).toEqual({ data: { hello: "world" } });
    expect(cacheControl).toBe("no-store");
  });

  it("keeps Apollo's cache-control plugin for an SDL that declares @cacheControl", async () => {
    const typeDefs = `
      enum CacheControlScope { PUBLIC PRIVATE }
      directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
      type Query { hello: String @cacheControl(maxAge: 60) }`;
    const { cacheControl } = await answer(typeDefs, { Query: { hello: () => "world" } });
    expect(cacheControl).toBe("max-age=60, public");
  });
});
