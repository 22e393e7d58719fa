import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { createLogger } from "@commerce/common";
import { createDb, type Db, type Prisma } from "@commerce/db";
import { createMemoryCache } from "@commerce/cache";
import * as catalog from "@commerce/catalog";
import type { Served } from "@commerce/http";
import { freePort } from "@commerce/stack";
import { catalogClientFor, createCatalogClient } from "@commerce/subgraph";
import { createQueryCounter, defined, errorCodes, truncateAll } from "@commerce/testing";
import { loadConfig } from "../src/config.js";
import type { Context } from "../src/context.js";
import { subgraph, type ReviewsDeps } from "../src/server.js";
import { bearer, startInProcess, type InProcessSubgraph } from "@commerce/testing/subgraph";

const queries = createQueryCounter();
let deps: ReviewsDeps;
let graph: InProcessSubgraph<Context>;
let db: Db;
// A real catalog over HTTP: createReview asks it whether the product exists.
let catalogServed: Served;
let catalogDeps: catalog.CatalogDeps;

beforeAll(async () => {
  const env = { DATABASE_URL: inject("databaseUrl"), NODE_ENV: "test", LOG_LEVEL: "silent" };
  catalogDeps = {
    db: createDb(env.DATABASE_URL, { poolSize: 2 }),
    cache: createMemoryCache(),
    logger: createLogger("catalog-test", "silent"),
    config: catalog.subgraph.loadConfig(env),
  };
  catalogServed = await catalog.subgraph.serve(catalogDeps, { host: "127.0.0.1", port: 0 });
  const config = loadConfig({ ...env, SUBGRAPH_CATALOG_URL: catalogServed.url });
  deps = {
    db: createDb(config.databaseUrl, { onQuery: queries.record }),
    logger: createLogger("reviews-test", "silent"),
    config,
    catalog: catalogClientFor(config),
  };
  graph = await startInProcess(subgraph, deps);
  db = createDb(config.databaseUrl, { poolSize: 2 });
});
afterAll(async () => {
  await graph?.stop();
  await catalogServed?.stop();
  await Promise.allSettled([deps?.db.$disconnect(), db?.$disconnect(), catalogDeps?.db.$disconnect()]);
});
beforeEach(async () => {
  // Products 1 to 5 exist in the catalog.
  await db.category.create({ data: { id: CATEGORY_ID, slug: "reviews-test", name: "Reviews test" } });
  await db.product.createMany({
    data: [1, 2, 3, 4, 5].map((n) => ({
      id: productId(n),
      sku: `REV-${n}`,
      name: `Product ${n}`,
      priceAmount: 100 + n,
      currency: "EUR",
      categoryId: CATEGORY_ID,
    })),
  });
});
afterEach(async () => {
  await truncateAll(inject("databaseUrl"), ["reviews", "catalog"]);
  queries.reset();
});

async function execute<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  userId?: string,
) {
  return graph.execute<T>(query, variables, userId ? await bearer(userId, ["profile"]) : {});
}

const CATEGORY_ID = "c3000000-0000-4000-8000-000000000001";
const productId = (n: number) => `a3000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const userId = (n: number) => `e3000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const AUTHOR = userId(1);
const STRANGER = userId(2);

/** Product n gets n reviews (users 1..n) rated ((n + user) % 5) + 1, one minute apart. */
async function seedReviews(products: number): Promise<void> {
  const data: Prisma.ReviewCreateManyInput[] = [];
  for (let p = 1; p <= products; p += 1) {
    for (let u = 1; u <= p; u += 1)
      data.push({
        productId: productId(p),
        authorId: userId(u),
        rating: ((p + u) % 5) + 1,
        body: `Review ${p}/${u}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, u)),
      });
  }
  await db.review.createMany({ data });
}

const CREATE = `mutation($input: CreateReviewInput!) { createReview(input: $input) { review { id rating body author { id } product { id } } } }`;
const UPDATE = `mutation($input: UpdateReviewInput!) { updateReview(input: $input) { review { rating body } } }`;
const DELETE = `mutation($id: ID!) { deleteReview(input: { id: $id }) { id } }`;

describe("writing reviews", () => {
  it("creates one review per user per product (CONFLICT on a second), trimming the body", async () => {
    const created = await execute<{ createReview: { review: { id: string } } }>(
      CREATE,
      { input: { productId: productId(1), rating: 4, body: "  Crispy.  " } },
      AUTHOR,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createReview.review).toMatchObject({
      rating: 4,
      body: "Crispy.",
      author: { id: AUTHOR },
      product: { id: productId(1) },
    });
    const again = await execute(CREATE, { input: { productId: productId(1), rating: 2 } }, AUTHOR);
    expect(errorCodes(again.errors)).toEqual(["CONFLICT"]);
    expect(again.errors?.[0]?.extensions?.field).toBe("input.productId");
  });

  it("refuses a product the catalog does not have with NOT_FOUND, writing nothing", async () => {
    const unknown = await execute(CREATE, { input: { productId: productId(99), rating: 4 } }, AUTHOR);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", type: "Product", id: productId(99) });
    expect(await db.review.count()).toBe(0);
  });

  it("names the catalog when it cannot be asked (SUBGRAPH_UNAVAILABLE, not a masked error), writing nothing", async () => {
    // Nothing listens on this port.
    const down = createCatalogClient({ url: `http://127.0.0.1:${await freePort()}/graphql`, retries: 0 });
    const contextValue = await subgraph.createContext({ ...deps, catalog: down })({
      headers: await bearer(AUTHOR, ["profile"]),
    });
    const result = await graph.executeIn(contextValue, CREATE, { input: { productId: productId(1), rating: 4 } });
    const error = result.errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: "SUBGRAPH_UNAVAILABLE",
      serviceName: "catalog",
      reason: "connection refused",
    });
    expect(error?.message).toMatch(/catalog/);
    expect(await db.review.count()).toBe(0);
  });

  it("lets only the author update or delete a review (graphql-shield FORBIDDEN), and NOT_FOUND for unknown ids", async () => {
    const created = await execute<{ createReview: { review: { id: string } } }>(
      CREATE,
      { input: { productId: productId(1), rating: 4 } },
      AUTHOR,
    );
    const id = defined(created.data?.createReview.review.id);
    const hijack = await execute(UPDATE, { input: { id, rating: 1 } }, STRANGER);
    expect(errorCodes(hijack.errors)).toEqual(["FORBIDDEN"]);
    expect(hijack.errors?.[0]?.extensions?.reason).toBe("NOT_AUTHOR");
    expect(errorCodes((await execute(DELETE, { id }, STRANGER)).errors)).toEqual(["FORBIDDEN"]);
    expect((await db.review.findUniqueOrThrow({ where: { id } })).rating).toBe(4);

    const edited = await execute(UPDATE, { input: { id, body: "Even better the second time." } }, AUTHOR);
    expect(edited.data).toEqual({ updateReview: { review: { rating: 4, body: "Even better the second time." } } });
    expect(errorCodes((await execute(UPDATE, { input: { id, rating: 9 } }, AUTHOR)).errors)).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect((await execute(DELETE, { id }, AUTHOR)).data).toEqual({ deleteReview: { id } });
    expect(errorCodes((await execute(DELETE, { id }, AUTHOR)).errors)).toEqual(["NOT_FOUND"]);
  });

  it("is backed by the database: rating range, body length and uniqueness are constraints", async () => {
    const base = { productId: productId(1), authorId: AUTHOR, body: "" };
    await expect(db.review.create({ data: { ...base, rating: 6 } })).rejects.toThrow();
    await expect(db.review.create({ data: { ...base, rating: 3, body: "x".repeat(2001) } })).rejects.toThrow();
    await db.review.create({ data: { ...base, rating: 3 } });
    await expect(db.review.create({ data: { ...base, rating: 5 } })).rejects.toThrow();
  });
});

describe("reading reviews", () => {
  it("rates a whole page of products, and pages their reviews, in one SQL statement each", async () => {
    await seedReviews(30);
    const r = Array.from({ length: 40 }, (_, i) => ({ __typename: "Product", id: productId(i + 1) }));
    queries.reset();
    const result = await execute<{
      _entities: {
        id: string;
        rating: { average: number | null; count: number };
        reviews: { edges: { node: { body: string; author: { id: string } } }[] };
      }[];
    }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id rating { average count } reviews(first: 3) { edges { node { body author { id } } } } } } }`,
      { r },
    );
    expect(result.errors).toBeUndefined();
    const products = defined(result.data)._entities;
    expect(products[0]?.rating).toEqual({ average: 3, count: 1 });
    expect(products[4]?.rating).toEqual({ average: 3, count: 5 });
    expect(products[35]?.rating).toEqual({ average: null, count: 0 });
    expect(products[29]?.reviews.edges.map((e) => e.node.body)).toEqual([
      "Review 30/30",
      "Review 30/29",
      "Review 30/28",
    ]);
    expect(queries.count).toBe(2);
  });

  it("resolves reviews by id and by the compound (productId, authorId) key, one query per key kind", async () => {
    await seedReviews(3);
    const byPair = await db.review.findFirstOrThrow({ where: { productId: productId(3), authorId: userId(2) } });
    queries.reset();
    const result = await execute<{ _entities: ({ id: string; rating: number } | null)[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Review { id rating } } }`,
      {
        r: [
          { __typename: "Review", productId: productId(3), authorId: userId(2) },
          { __typename: "Review", id: byPair.id },
          { __typename: "Review", productId: productId(1), authorId: userId(3) },
        ],
      },
    );
    expect(result.data?._entities).toEqual([
      { id: byPair.id, rating: byPair.rating },
      { id: byPair.id, rating: byPair.rating },
      null,
    ]);
    expect(queries.count).toBe(2);
  });

  it("pages a user's reviews newest first", async () => {
    await seedReviews(5);
    const query = `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on User { reviews(first: 2, after: $after) { edges { node { product { id } } } pageInfo { hasNextPage endCursor } } } } }`;
    type Page = {
      _entities: {
        reviews: {
          edges: { node: { product: { id: string } } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      }[];
    };
    const r = [{ __typename: "User", id: userId(1) }];
    const first = defined((await execute<Page>(query, { r })).data?._entities[0]).reviews;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = defined(
      (await execute<Page>(query, { r, after: first.pageInfo.endCursor })).data?._entities[0],
    ).reviews;
    const seen = [...first.edges, ...rest.edges].map((e) => e.node.product.id);
    expect(new Set(seen).size).toBe(4);
  });
});
