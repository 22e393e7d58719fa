import { describe, expect, it } from "vitest";
import { createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { errorCodes } from "@commerce/testing";
import { bearer, describeSubgraphSchema, useInProcess } from "@commerce/testing/subgraph";
import { loadConfig } from "../src/config.js";
import { subgraph, type ReviewsDeps } from "../src/server.js";
import { catalogClientFor } from "@commerce/subgraph";

// Nothing listens on port 1: these tests must be answered before any SQL.
const config = loadConfig({
  DATABASE_URL: "postgresql://reviews@127.0.0.1:1/none",
  SUBGRAPH_CATALOG_URL: "http://127.0.0.1:1/graphql",
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
});
const deps: ReviewsDeps = {
  db: createDb(config.databaseUrl, { poolSize: 1 }),
  logger: createLogger("reviews", "silent"),
  config,
  catalog: catalogClientFor(config),
};
const graph = useInProcess(subgraph, deps);
const CUSTOMER = "6f1c1f0e-9d1a-4c55-8f43-0a3c2f1b7d10";

async function execute(query: string, variables: Record<string, unknown> = {}, scopes?: string[]) {
  return graph.execute(query, variables, scopes ? await bearer(CUSTOMER, scopes) : {});
}

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
