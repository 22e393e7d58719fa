import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS } from "@commerce/db";
import { defined, errorCodes, postGraphQL } from "@commerce/testing";
import { logIn, startGraph, type Graph } from "./graph.js";

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

async function tokenOf(email: string): Promise<string> {
  return `Bearer ${(await logIn(graph.url, email)).token}`;
}

describe("subgraphs accept only the router", () => {
  it("refuses direct calls to accounts and catalog with 401 UNAUTHENTICATED, keeps /health open, and serves them through the router", async () => {
    for (const name of ["accounts", "catalog"]) {
      const url = defined(graph.subgraphUrls[name], name);
      const direct = await postGraphQL(url, "{ _service { sdl } }");
      expect(direct.status).toBe(401);
      expect(direct.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "ROUTER_SIGNATURE_MISSING" });
      expect((await fetch(new URL("/health", url))).status).toBe(200);
    }
    const through = await postGraphQL<{ products: { totalCount: number } }>(
      graph.url,
      "{ products(first: 1) { totalCount } }",
    );
    expect(through.data?.products.totalCount).toBe(500);
  });
});

describe("field authorization from the composed supergraph", () => {
  it("answers an anonymous `me` with null and UNAUTHORIZED_FIELD_OR_TYPE while the rest of the query runs", async () => {
    const response = await postGraphQL<{ me: null; products: { totalCount: number } }>(
      graph.url,
      "{ me { id } products(first: 1) { totalCount } }",
    );
    expect(response.data).toEqual({ me: null, products: { totalCount: 500 } });
    expect(response.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([["UNAUTHORIZED_FIELD_OR_TYPE", ["me"]]]);
  });

  it("refuses createProduct to a customer at the router and lets staff through to the subgraph's own checks", async () => {
    const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { product { sku } } }`;
    const input = {
      sku: `E2E-${Date.now()}`,
      name: "Edge kettle",
      price: { amount: 1000, currency: "EUR" },
      categoryId: "00000000-0000-0000-0000-000000000000",
    };
    const customer = await postGraphQL(
      graph.url,
      CREATE,
      { input },
      { authorization: await tokenOf(DEMO_USERS.customer) },
    );
    expect(customer.data).toBeNull();
    expect(errorCodes(customer.errors)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
    // Staff pass the router; the catalog itself then answers (here: the category does not exist).
    const staff = await postGraphQL(graph.url, CREATE, { input }, { authorization: await tokenOf(DEMO_USERS.staff) });
    expect(errorCodes(staff.errors)).not.toContain("UNAUTHORIZED_FIELD_OR_TYPE");
  });
});

describe("demand control from the composed supergraph", () => {
  it("estimates connections by their slicing argument and reports the actual cost on request", async () => {
    const response = await postGraphQL(
      graph.url,
      "{ products(first: 3) { totalCount edges { node { name } } } }",
      {},
      { "x-include-cost": "true" },
    );
    // products 1 + totalCount @cost 5 + 3 edges × (edge 1 + node 1)
    expect((response as unknown as { extensions: { cost: unknown } }).extensions.cost).toMatchObject({
      estimated: 12,
      actual: 12,
      mode: "enforce",
    });
    const tooMany = await postGraphQL(
      graph.url,
      "{ categories { products(first: 100) { edges { node { name category { name } } } } } }",
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({
      code: "COST_ESTIMATED_TOO_EXPENSIVE",
      cost: { max: 1000 },
    });
  });
});
