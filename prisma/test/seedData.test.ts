import { describe, expect, it } from "vitest";
import { buildSeedData, stableId } from "../src/seedData.js";

describe("the seed data", () => {
  it("is the same on every run: ids, names and prices", () => {
    expect(buildSeedData("hash")).toEqual(buildSeedData("hash"));
    expect(stableId("category:burgers")).toBe(stableId("category:burgers"));
    expect(stableId("category:burgers")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("is consistent: unique ids and emails, products in known categories, favourites of known users and products", () => {
    const data = buildSeedData("hash", { users: 20, productsPerCategory: 10 });
    const ids = (rows: readonly { id?: string }[]) => rows.map((r) => r.id);
    expect(new Set(ids(data.users)).size).toBe(data.users.length);
    expect(new Set(data.users.map((u) => u.email)).size).toBe(data.users.length);
    expect(new Set(ids(data.products)).size).toBe(data.products.length);
    const categories = new Set(ids(data.categories));
    expect(data.products.every((p) => categories.has(p.categoryId))).toBe(true);
    const users = new Set(ids(data.users));
    const products = new Set(ids(data.products));
    expect(data.favorites.every((f) => users.has(f.userId) && products.has(f.productId))).toBe(true);
    expect(data.products.every((p) => Number.isInteger(p.priceAmount) && Number(p.priceAmount) > 0)).toBe(true);
  });
});
