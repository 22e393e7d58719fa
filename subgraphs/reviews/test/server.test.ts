import { describe, expect, it } from "vitest";
import { errorCodes } from "@commerce/testing";
import { describeSubgraphSchema, offlineDeps, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph, type ReviewsDeps } from "../src/server.js";
import { catalogClientFor } from "@commerce/subgraph";

// Nothing listens on port 1: these tests must be answered before any SQL.
const base = offlineDeps(loadConfig, { SUBGRAPH_CATALOG_URL: "http://127.0.0.1:1/graphql" });
const deps: ReviewsDeps = { ...base, catalog: catalogClientFor(base.config) };
const graph = useInProcess(subgraph, deps);
const CUSTOMER = "6f1c1f0e-9d1a-4c55-8f43-0a3c2f1b7d10";

const execute = (query: string, variables: Record<string, unknown> = {}, scopes?: string[]) =>
  graph.executeAs(query, variables, scopes && { userId: CUSTOMER, scopes });

describeSubgraphSchema(graph, new URL("../schema.graphql", import.meta.url));

const CREATE = `mutation($input: CreateReviewInput!) { createReview(input: $input) { review { id } } }`;
const PRODUCT = "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d";

describe("permissions (graphql-shield)", () => {
  it("answers UNAUTHENTICATED to anonymous writes", async () => {
    expect(errorCodes((await execute(CREATE, { input: { productId: PRODUCT, rating: 5 } })).errors)).toEqual([
      "UNAUTHENTICATED",
    ]);
    const del = await execute(`mutation { deleteReview(input: { id: "${PRODUCT}" }) { id } }`);
    expect(errorCodes(del.errors)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("input errors, before any SQL", () => {
  it.each([
    ["a rating of 0", { productId: PRODUCT, rating: 0 }, "input.rating"],
    ["a rating of 6", { productId: PRODUCT, rating: 6 }, "input.rating"],
    ["a body over 2000 characters", { productId: PRODUCT, rating: 4, body: "x".repeat(2001) }, "input.body"],
  ])("rejects %s with BAD_USER_INPUT naming the field", async (_name, input, field) => {
    const result = await execute(CREATE, { input }, ["profile"]);
    expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
  });

  it("rejects a page size over the maximum and a forged cursor", async () => {
    const query = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on Product { reviews(first: $first, after: $after) { edges { cursor } } } } }`;
    const r = [{ __typename: "Product", id: PRODUCT }];
    expect((await execute(query, { r, first: 101 })).errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "first",
      max: 100,
    });
    expect((await execute(query, { r, after: "forged" })).errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "after",
    });
  });
});
