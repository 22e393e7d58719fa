import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from "vitest";
import { defined, errorCodes } from "@commerce/testing";
import { PRODUCT_BY_SKU_NAMESPACE, PRODUCT_NAMESPACE } from "../src/loaders.js";
import { Scope } from "@commerce/auth";
import { categoryId, menuScenario, productId, seed } from "./fixtures/catalog.js";
import { startHarness, tokenFor, type Harness } from "./harness.js";

let harness: Harness;
let staff: string;
let customer: string;
beforeAll(async () => {
  harness = await startHarness({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
  staff = await tokenFor("staff-1", [Scope.CATALOG_WRITE]);
  customer = await tokenFor("customer-1", ["profile"]);
});
afterAll(async () => harness?.stop());
beforeEach(async () => {
  await harness.reset();
  await seed(harness.db, menuScenario({ categoryCount: 2, perCategory: 3 }));
});

const UPDATE = `mutation ($input: UpdateProductInput!) { updateProduct(input: $input) { product { id name price { amount currency } available category { id } } } }`;
const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id sku name description price { amount currency } available category { id } } } }`;
const BY_ID = `query ($id: ID!) { product(id: $id) { price { amount currency } category { id } } }`;
const BY_SKU = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Product { price { amount currency } } } }`;

type Price = { amount: number; currency: string };

async function priceById(id: string): Promise<Price> {
  const result = await harness.execute<{ product: { price: Price } | null }>(BY_ID, { id });
  return defined(defined(result.data).product).price;
}
async function priceBySku(sku: string): Promise<Price> {
  const result = await harness.execute<{ _entities: ({ price: Price } | null)[] }>(BY_SKU, {
    reps: [{ __typename: "Product", sku }],
  });
  return defined(defined(result.data)._entities[0]).price;
}

describe("updateProduct", () => {
  const id = productId(1);
  const sku = "SKU-0001";

  it("invalidates the cached product: the next read by id or sku sees the new price", async () => {
    expect(await priceById(id)).toEqual({ amount: 101, currency: "EUR" });
    expect(await priceBySku(sku)).toEqual({ amount: 101, currency: "EUR" });
    expect(await harness.redisKeys(`${PRODUCT_NAMESPACE}:${id}`)).toHaveLength(1);
    expect(await harness.redisKeys(`${PRODUCT_BY_SKU_NAMESPACE}:${sku}`)).toHaveLength(1);

    const result = await harness.execute(
      UPDATE,
      { input: { id, price: { amount: 1999, currency: "USD" }, categoryId: categoryId(2) } },
      staff,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      updateProduct: {
        product: {
          id,
          name: "Item 0001",
          price: { amount: 1999, currency: "USD" },
          available: true,
          category: { id: categoryId(2) },
        },
      },
    });

    expect(await harness.redisKeys(`${PRODUCT_NAMESPACE}:${id}`)).toEqual([]);
    expect(await priceById(id)).toEqual({ amount: 1999, currency: "USD" });
    expect(await priceBySku(sku)).toEqual({ amount: 1999, currency: "USD" });
  });

  it("is refused without the catalog:write scope (FORBIDDEN) and when anonymous (UNAUTHENTICATED), changing nothing", async () => {
    const input = { id, price: { amount: 1, currency: "EUR" } };
    const forbidden = await harness.execute(UPDATE, { input }, customer);
    expect(errorCodes(forbidden.errors)).toEqual(["FORBIDDEN"]);
    expect(forbidden.errors?.[0]?.extensions?.requiredScope).toBe(Scope.CATALOG_WRITE);
    const anonymous = await harness.execute(UPDATE, { input });
    expect(errorCodes(anonymous.errors)).toEqual(["UNAUTHENTICATED"]);
    expect((await harness.db.product.findUniqueOrThrow({ where: { id } })).priceAmount).toBe(101);
  });

  it("rejects bad input with BAD_USER_INPUT naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ price: { amount: -1, currency: "EUR" } }, "input.price.amount"],
      [{ price: { amount: 100, currency: "eur" } }, "input.price.currency"],
      [{ price: { amount: 100, currency: "EURO" } }, "input.price.currency"],
      [{ categoryId: categoryId(99) }, "input.categoryId"],
      [{ name: "   " }, "input.name"],
    ];
    for (const [changes, field] of cases) {
      const result = await harness.execute(UPDATE, { input: { id, ...changes } }, staff);
      expect(errorCodes(result.errors), field).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect((await harness.db.product.findUniqueOrThrow({ where: { id } })).priceAmount).toBe(101);
  });

  it("answers NOT_FOUND for a product that does not exist", async () => {
    for (const missing of [productId(999), "nope"]) {
      const result = await harness.execute(UPDATE, { input: { id: missing, available: false } }, staff);
      expect(errorCodes(result.errors)).toEqual(["NOT_FOUND"]);
    }
  });
});

describe("createProduct", () => {
  const input = {
    sku: "NEW-1",
    name: " Veggie wrap ",
    price: { amount: 650, currency: "EUR" },
    categoryId: categoryId(1),
  };

  it("creates a product that reads back at once, with defaults applied", async () => {
    const result = await harness.execute<{ createProduct: { product: { id: string } } }>(CREATE, { input }, staff);
    expect(result.errors).toBeUndefined();
    const product = defined(result.data).createProduct.product;
    expect(product).toMatchObject({
      sku: "NEW-1",
      name: "Veggie wrap",
      description: "",
      available: true,
      category: { id: categoryId(1) },
    });
    expect(await priceById(product.id)).toEqual({ amount: 650, currency: "EUR" });
    expect(await priceBySku("NEW-1")).toEqual({ amount: 650, currency: "EUR" });
  });

  it("answers CONFLICT for a taken sku and BAD_USER_INPUT for an unknown category", async () => {
    const taken = await harness.execute(CREATE, { input: { ...input, sku: "SKU-0002" } }, staff);
    expect(errorCodes(taken.errors)).toEqual(["CONFLICT"]);
    expect(taken.errors?.[0]?.extensions?.field).toBe("input.sku");
    const unknown = await harness.execute(CREATE, { input: { ...input, categoryId: categoryId(42) } }, staff);
    expect(errorCodes(unknown.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(unknown.errors?.[0]?.extensions?.field).toBe("input.categoryId");
  });

  it("is refused without the catalog:write scope", async () => {
    const result = await harness.execute(CREATE, { input }, customer);
    expect(errorCodes(result.errors)).toEqual(["FORBIDDEN"]);
    expect(await harness.db.product.count({ where: { sku: "NEW-1" } })).toBe(0);
  });
});
