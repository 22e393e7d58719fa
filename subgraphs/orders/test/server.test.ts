import { describe, expect, it } from "vitest";
import { errorCodes } from "@commerce/testing";
import { describeSubgraphSchema, offlineDeps, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph, type OrdersDeps } from "../src/server.js";
import { createCatalogClient } from "@commerce/subgraph";

// Nothing listens on port 1: these tests must be answered before any SQL or catalog call.
const base = offlineDeps(loadConfig, { SUBGRAPH_CATALOG_URL: "http://127.0.0.1:1/graphql" });
const deps: OrdersDeps = {
  ...base,
  catalog: createCatalogClient({ url: base.config.catalogUrl, retries: 0, timeoutMs: 200 }),
};
const graph = useInProcess(subgraph, deps);
const CUSTOMER = "6f1c1f0e-9d1a-4c55-8f43-0a3c2f1b7d10";

const execute = (query: string, variables: Record<string, unknown> = {}, scopes?: string[]) =>
  graph.executeAs(query, variables, scopes && { userId: CUSTOMER, scopes });

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }`;
const item = { productId: "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d", quantity: 1 };

describeSubgraphSchema(graph, new URL("../schema.graphql", import.meta.url));

describe("permissions (graphql-shield)", () => {
  it("answers UNAUTHENTICATED to an anonymous placeOrder", async () => {
    const result = await execute(PLACE, { input: { items: [item], idempotencyKey: "k-1" } });
    expect(errorCodes(result.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers FORBIDDEN to updateOrderStatus and the staff queue without orders:manage", async () => {
    const update = await execute(
      `mutation { updateOrderStatus(input: { orderId: "${CUSTOMER}", status: PREPARING }) { order { id } } }`,
      {},
      ["profile"],
    );
    expect(errorCodes(update.errors)).toEqual(["FORBIDDEN"]);
    expect(update.errors?.[0]?.extensions?.requiredScope).toBe("orders:manage");
    expect(errorCodes((await execute(`{ orders { edges { cursor } } }`, {}, ["profile"])).errors)).toEqual([
      "FORBIDDEN",
    ]);
  });

  it("answers FORBIDDEN to another user's orders", async () => {
    const result = await execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { edges { cursor } } } } }`,
      { r: [{ __typename: "User", id: "11111111-1111-4111-8111-111111111111" }] },
      ["profile"],
    );
    expect(errorCodes(result.errors)).toEqual(["FORBIDDEN"]);
  });
});

describe("input errors, before any SQL or catalog call", () => {
  const cases: [string, unknown, string][] = [
    ["an empty order", { items: [], idempotencyKey: "k" }, "input.items"],
    ["a quantity of 0", { items: [{ ...item, quantity: 0 }], idempotencyKey: "k" }, "input.items[0].quantity"],
    [
      "a product id that is not an id",
      { items: [{ productId: "nope", quantity: 1 }], idempotencyKey: "k" },
      "input.items[0].productId",
    ],
    ["the same product twice", { items: [item, item], idempotencyKey: "k" }, "input.items[1].productId"],
    ["a blank idempotency key", { items: [item], idempotencyKey: "" }, "input.idempotencyKey"],
    ["an idempotency key with spaces", { items: [item], idempotencyKey: "a b" }, "input.idempotencyKey"],
  ];
  it.each(cases)("rejects %s with BAD_USER_INPUT naming the field", async (_name, input, field) => {
    const result = await execute(PLACE, { input }, ["profile"]);
    expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
  });

  it("rejects a page size over the maximum and a forged cursor", async () => {
    const query = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on User { orders(first: $first, after: $after) { edges { cursor } } } } }`;
    const r = [{ __typename: "User", id: CUSTOMER }];
    const tooMany = await execute(query, { r, first: 101 }, ["profile"]);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first", max: 100 });
    const forged = await execute(query, { r, after: "not-a-cursor!" }, ["profile"]);
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("masks an unreachable database as INTERNAL_SERVER_ERROR, without details", async () => {
    const result = await execute(PLACE, { input: { items: [item], idempotencyKey: "k-2" } }, ["profile"]);
    expect(result.errors).toEqual([
      { message: "Internal server error", path: ["placeOrder"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
    ]);
  });
});
