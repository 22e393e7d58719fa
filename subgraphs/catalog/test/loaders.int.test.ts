import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { defined } from "@commerce/testing";
import { menuScenario, seed } from "./fixtures/catalog.js";
import { startHarness, type Harness, type Result } from "./harness.js";

interface CategoryPage {
  category: { products: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
}

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
});
afterAll(async () => harness?.stop());
beforeEach(async () => harness.reset());

// 12 categories × 10 products = 120 rows: a page of 100 spans every category.
const scenario = menuScenario({ categoryCount: 12, perCategory: 10 });

interface ProductsPage {
  products: {
    totalCount?: number;
    edges: { node: { name: string; price: { amount: number; currency: string }; category: { name: string } } }[];
  };
}

/** Runs `query` in a fresh request and returns how many SQL statements it cost. */
async function sqlCount(query: string, variables: Record<string, unknown> = {}) {
  harness.queries.reset();
  const result = await harness.execute<Record<string, unknown>>(query, variables);
  expect(result.errors).toBeUndefined();
  return { count: harness.queries.count, statements: [...harness.queries.statements], data: defined(result.data) };
}

describe("100 products with their categories", () => {
  const WITH_TOTAL = `{ products(first: 100) { totalCount edges { node { name price { amount currency } category { name } } } } }`;
  const WITHOUT_TOTAL = `{ products(first: 100) { edges { node { name price { amount currency } category { name } } } } }`;

  it("costs page + count + one categories batch cold, and page + count warm", async () => {
    await seed(harness.db, scenario);
    const cold = await sqlCount(WITH_TOTAL);
    const page = (cold.data as unknown as ProductsPage).products;
    expect(page.edges).toHaveLength(100);
    expect(page.totalCount).toBe(120);
    expect(new Set(page.edges.map((e) => e.node.category.name)).size).toBeGreaterThanOrEqual(10);
    expect(page.edges[0]?.node.price.currency).toBe("EUR");
    // Cold: 1 keyset page (101 rows) + 1 COUNT + 1 `categories WHERE id IN (…12 ids)` for the Redis misses.
    expect(cold.count).toBe(3);
    expect(cold.statements.filter((sql) => sql.includes(`"catalog"."categories"`))).toHaveLength(1);

    // Warm: a new request (fresh DataLoaders) finds all 12 categories in Redis with one MGET, so no
    // categories SQL; the page and its COUNT are list queries, which are never cached.
    const warm = await sqlCount(WITH_TOTAL);
    expect(warm.count).toBe(2);
    expect(warm.statements.some((sql) => sql.includes(`"catalog"."categories"`))).toBe(false);
    expect(warm.data).toEqual(cold.data);
  });

  it("skips the COUNT when totalCount is not selected: page + categories cold, page alone warm", async () => {
    await seed(harness.db, scenario);
    expect((await sqlCount(WITHOUT_TOTAL)).count).toBe(2);
    expect((await sqlCount(WITHOUT_TOTAL)).count).toBe(1);
  });
});

describe("Category.products", () => {
  it("loads a page of products for every category in one statement, whatever the number of categories", async () => {
    await seed(harness.db, scenario);
    const query = `{ categories { name products(first: 3, filter: { available: true }) { totalCount edges { node { name category { name } } } pageInfo { hasNextPage } } } }`;
    const { count, data } = await sqlCount(query);
    const categories = (
      data as {
        categories: {
          name: string;
          products: {
            totalCount: number;
            edges: { node: { category: { name: string } } }[];
            pageInfo: { hasNextPage: boolean };
          };
        }[];
      }
    ).categories;
    expect(categories).toHaveLength(12);
    // position runs 12..1, so menu order is the reverse of creation order.
    expect(categories[0]?.name).toBe("Category 12");
    for (const category of categories) {
      expect(category.products.edges).toHaveLength(3);
      expect(category.products.totalCount).toBe(8); // every fifth product is unavailable: 2 of 10
      expect(category.products.pageInfo.hasNextPage).toBe(true);
      for (const edge of category.products.edges) expect(edge.node.category.name).toBe(category.name);
    }
    // 1 categories list + 1 LATERAL page query for all 12 categories + 1 GROUP BY count; Product.category
    // hits the categories the list query primed into this request's loader, so no further SQL.
    expect(count).toBe(3);
  });

  it("applies search and availability inside each category's page and count", async () => {
    await seed(harness.db, scenario);
    const query = `{ categories { id products(first: 100, filter: { search: " COMBO ", available: true }) { totalCount edges { node { name available categoryId: category { id } } } } } }`;
    const { count, data } = await sqlCount(query);
    const categories = (
      data as {
        categories: {
          id: string;
          products: {
            totalCount: number;
            edges: { node: { name: string; available: boolean; categoryId: { id: string } } }[];
          };
        }[];
      }
    ).categories;
    for (const category of categories) {
      const expected = scenario.products.filter(
        (p) => p.categoryId === category.id && p.name === "Combo meal" && p.available !== false,
      );
      expect(category.products.totalCount).toBe(expected.length);
      expect(category.products.edges).toHaveLength(expected.length);
      for (const { node } of category.products.edges)
        expect(node).toEqual({ name: "Combo meal", available: true, categoryId: { id: category.id } });
    }
    expect(count).toBe(3);
  });

  it("pages a category forward with its cursors", async () => {
    await seed(harness.db, scenario);
    const query = `query ($id: ID!, $after: String) { category(id: $id) { products(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const id = scenario.categories[0]?.id;
    const expected = await harness.db.product.findMany({
      where: { categoryId: id },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: Result<CategoryPage> = await harness.execute<CategoryPage>(query, { id, after });
      const products = defined(result.data).category.products;
      seen.push(...products.edges.map((e) => e.node.id));
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((row) => row.id));
  });
});

describe("_entities", () => {
  const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id sku name price { amount } } ... on Category { id name } } }`;

  it("resolves 50 products by id in 1 query cold and 0 warm (one Redis MGET)", async () => {
    await seed(harness.db, scenario);
    const representations = scenario.products.slice(0, 50).map((p) => ({ __typename: "Product", id: p.id }));
    const cold = await sqlCount(ENTITIES, { representations });
    const entities = (cold.data as { _entities: { id: string }[] })._entities;
    expect(entities.map((e) => e.id)).toEqual(representations.map((r) => r.id));
    expect(cold.count).toBe(1);
    const warm = await sqlCount(ENTITIES, { representations });
    expect(warm.count).toBe(0);
    expect(warm.data).toEqual(cold.data);
  });

  it("resolves products by sku, categories by id, and unknown keys to null", async () => {
    await seed(harness.db, scenario);
    const product = defined(scenario.products[4]);
    const representations = [
      { __typename: "Product", sku: product.sku },
      { __typename: "Category", id: scenario.categories[1]?.id },
      { __typename: "Product", id: "a0000000-0000-4000-8000-ffffffffffff" },
      { __typename: "Product", id: "not-a-uuid" },
      { __typename: "Product", sku: "NO-SUCH-SKU" },
    ];
    const cold = await sqlCount(ENTITIES, { representations });
    expect((cold.data as { _entities: unknown[] })._entities).toEqual([
      { id: product.id, sku: product.sku, name: product.name, price: { amount: product.priceAmount } },
      { id: scenario.categories[1]?.id, name: "Category 2" },
      null,
      null,
      null,
    ]);
    // One statement per loader: products by sku, products by id, categories by id.
    expect(cold.count).toBe(3);
    // The found entities are now in Redis; the missing ones are looked up again (misses are not cached).
    const warm = await sqlCount(ENTITIES, { representations });
    expect(warm.count).toBe(2);
  });
});
