import { ApolloServer } from "@apollo/server";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "@commerce/http";
import { serviceCallersPlugin } from "../src/serviceCallers.js";

type Context = { caller: Caller | null };
const server = new ApolloServer<Context>({
  schema: buildSchema("type Query { _entities: [String] products: [String] } type Mutation { rename: String }"),
  rootValue: { _entities: () => ["a"], products: () => ["b"], rename: () => "renamed" },
  plugins: [serviceCallersPlugin()],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});
beforeAll(() => server.start());
afterAll(() => server.stop());

const orders: Caller = { kind: "service", service: "orders" };
async function run(query: string, caller: Caller | null) {
  const response = await server.executeOperation({ query }, { contextValue: { caller } });
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return { status: response.http.status, ...response.body.singleResult };
}

describe("serviceCallersPlugin", () => {
  it("lets a service read _entities (and __typename), directly or through fragments", async () => {
    for (const query of [
      "{ _entities __typename }",
      "{ ... on Query { _entities } }",
      "query { ...Read } fragment Read on Query { _entities }",
    ])
      expect((await run(query, orders)).errors, query).toBeUndefined();
  });

  it("refuses a service's mutation with FORBIDDEN SERVICE_OPERATION_NOT_ALLOWED (403) before it resolves", async () => {
    const refused = await run("mutation { rename }", orders);
    expect(refused.status).toBe(403);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "SERVICE_OPERATION_NOT_ALLOWED",
      operation: "mutation",
    });
  });

  it("refuses other root fields, also when hidden in a fragment, naming them", async () => {
    for (const query of ["{ _entities products }", "{ ...F } fragment F on Query { ... on Query { products } }"]) {
      const refused = await run(query, orders);
      expect(refused.status, query).toBe(403);
      expect(refused.errors?.[0]?.extensions, query).toMatchObject({
        code: "FORBIDDEN",
        reason: "SERVICE_FIELD_NOT_ALLOWED",
        fields: ["Query.products"],
      });
    }
  });

  it("leaves the router's and unguarded requests alone", async () => {
    for (const caller of [{ kind: "router" } as const, null]) {
      expect((await run("{ products }", caller)).data).toEqual({ products: ["b"] });
      expect((await run("mutation { rename }", caller)).data).toEqual({ rename: "renamed" });
    }
  });
});
