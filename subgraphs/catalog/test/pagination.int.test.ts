import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { defined, errorCodes } from "@commerce/testing";
import { MAX_PAGE_SIZE } from "@commerce/subgraph";
import { categoryId, menuScenario, searchScenario, seed } from "./fixtures/catalog.js";
import { startHarness, type Harness } from "./harness.js";

interface Page {
  products: {
    totalCount: number;
    edges: { cursor: string; node: { id: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const PRODUCTS = /* GraphQL */ `
  query Products($first: Int, $after: String, $filter: ProductFilter) {
    products(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
});
afterAll(async () => harness?.stop());
beforeEach(async () => harness.reset());

async function page(variables: Record<string, unknown>) {
  const result = await harness.execute<Page>(PRODUCTS, variables);
  expect(result.errors).toBeUndefined();
  return defined(result.data).products;
}

describe("products connection", () => {
  // 3 categories × 9 products = 27 rows; "Combo meal" appears 9 times, so pages split inside equal names.
  const scenario = menuScenario({ categoryCount: 3, perCategory: 9 });

  it("serves the first page with a next page and no previous page", async () => {
    await seed(harness.db, scenario);
    const first = await page({ first: 5 });
    expect(first.edges).toHaveLength(5);
    expect(first.totalCount).toBe(27);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0]?.cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges[4]?.cursor);
  });

  it("walks to the last page in (name, id) order with no duplicate or missing row", async () => {
    await seed(harness.db, scenario);
    // The database's own collation decides the order; the API must match it exactly.
    const expected = await harness.db.product.findMany({
      orderBy: [{ name: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (;;) {
      const current: Page["products"] = await page({ first: 7, after });
      seen.push(...current.edges.map((edge) => edge.node.id));
      sizes.push(current.edges.length);
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(sizes).toEqual([7, 7, 7, 6]);
    expect(seen).toEqual(expected.map((row) => row.id));
  });

  it("answers an empty last page when the cursor points at the last row", async () => {
    await seed(harness.db, scenario);
    const all = await page({ first: 27 });
    expect(all.pageInfo.hasNextPage).toBe(false);
    const beyond = await page({ first: 10, after: all.pageInfo.endCursor });
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it("answers first: 0 with no edges but tells whether rows exist", async () => {
    await seed(harness.db, scenario);
    const empty = await page({ first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
  });

  it("rejects a cursor it did not issue with BAD_USER_INPUT on `after`", async () => {
    for (const after of ["not-a-cursor", "eyJ2IjoyLCJuIjoiYSIsImkiOiJiIn0", "!!!"]) {
      const result = await harness.execute(PRODUCTS, { first: 5, after });
      expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe("after");
    }
  });

  it("rejects a page size over the max with BAD_USER_INPUT on `first` and the max in the details", async () => {
    for (const first of [MAX_PAGE_SIZE + 1, -1]) {
      const result = await harness.execute(PRODUCTS, { first });
      expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions).toMatchObject({ field: "first", max: MAX_PAGE_SIZE });
    }
    expect(harness.queries.count).toBe(0);
  });

  it("filters by category and by availability, and pages within the filter", async () => {
    await seed(harness.db, scenario);
    const inSecond = await page({ first: 100, filter: { categoryId: categoryId(2) } });
    const expectedIds = scenario.products.filter((p) => p.categoryId === categoryId(2)).map((p) => p.id);
    expect(inSecond.totalCount).toBe(9);
    expect(inSecond.edges.map((e) => e.node.id).sort()).toEqual([...expectedIds].sort());

    const unavailable = await page({ first: 2, filter: { available: false } });
    const expectedUnavailable = scenario.products.filter((p) => p.available === false).length;
    expect(unavailable.totalCount).toBe(expectedUnavailable);
    const next = await page({ first: 100, after: unavailable.pageInfo.endCursor, filter: { available: false } });
    expect(unavailable.edges.length + next.edges.length).toBe(expectedUnavailable);
  });

  it("rejects a categoryId that is not an id", async () => {
    const result = await harness.execute(PRODUCTS, { filter: { categoryId: "drinks" } });
    expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.field).toBe("filter.categoryId");
  });
});

describe("products search", () => {
  const names = async (filter: Record<string, unknown>) =>
    (await page({ first: 100, filter })).edges.map((e) => e.node.name).sort();

  it("matches name or description, trimmed and case-insensitive", async () => {
    await seed(harness.db, searchScenario);
    expect(await names({ search: "  orange " })).toEqual(["100% Orange juice", "Iced tea", "Orange juice 1000 ml"]);
  });

  it("takes LIKE wildcards literally", async () => {
    await seed(harness.db, searchScenario);
    expect(await names({ search: "0%" })).toEqual(["100% Orange juice"]);
    expect(await names({ search: "a_z" })).toEqual(["Cola_zero"]);
  });

  it("combines search with availability", async () => {
    await seed(harness.db, searchScenario);
    expect(await names({ search: "cola", available: true })).toEqual(["Colaxzero"]);
  });

  it("treats a blank search as no filter and rejects one over 100 characters", async () => {
    await seed(harness.db, searchScenario);
    expect(await names({ search: "   " })).toHaveLength(5);
    const result = await harness.execute(PRODUCTS, { filter: { search: "x".repeat(101) } });
    expect(errorCodes(result.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions).toMatchObject({ field: "filter.search", max: 100 });
  });
});
