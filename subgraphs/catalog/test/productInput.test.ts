import { describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import { parseCreateProductInput, parseMoney, parseUpdateProductInput } from "../src/productInput.js";

const CATEGORY = "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d";

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === "BAD_USER_INPUT") return error.extensions.field;
    throw error;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("parseMoney", () => {
  it("accepts a non-negative integer amount and an upper-case 3-letter currency", () => {
    expect(parseMoney({ amount: 0, currency: "EUR" }, "input.price")).toEqual({ priceAmount: 0, currency: "EUR" });
    expect(parseMoney({ amount: 1250, currency: "JPY" }, "input.price")).toEqual({
      priceAmount: 1250,
      currency: "JPY",
    });
  });

  it("names the bad part of the price", () => {
    expect(fieldOf(() => parseMoney({ amount: -1, currency: "EUR" }, "input.price"))).toBe("input.price.amount");
    expect(fieldOf(() => parseMoney({ amount: 1.5, currency: "EUR" }, "input.price"))).toBe("input.price.amount");
    for (const currency of ["eur", "EURO", "EU", "E1R", ""]) {
      expect(fieldOf(() => parseMoney({ amount: 1, currency }, "input.price"))).toBe("input.price.currency");
    }
  });
});

describe("parseCreateProductInput", () => {
  const input = {
    sku: " BURGER-1 ",
    name: " Cheeseburger ",
    price: { amount: 899, currency: "EUR" },
    categoryId: CATEGORY.toUpperCase(),
  };

  it("trims text, applies defaults and normalises the category id", () => {
    expect(parseCreateProductInput(input)).toEqual({
      sku: "BURGER-1",
      name: "Cheeseburger",
      description: "",
      priceAmount: 899,
      currency: "EUR",
      available: true,
      categoryId: CATEGORY,
    });
  });

  it("names the first bad field", () => {
    expect(fieldOf(() => parseCreateProductInput({ ...input, sku: "has space" }))).toBe("input.sku");
    expect(fieldOf(() => parseCreateProductInput({ ...input, sku: "x".repeat(65) }))).toBe("input.sku");
    expect(fieldOf(() => parseCreateProductInput({ ...input, name: "" }))).toBe("input.name");
    expect(fieldOf(() => parseCreateProductInput({ ...input, name: "x".repeat(201) }))).toBe("input.name");
    expect(fieldOf(() => parseCreateProductInput({ ...input, description: "x".repeat(2001) }))).toBe(
      "input.description",
    );
    expect(fieldOf(() => parseCreateProductInput({ ...input, categoryId: "burgers" }))).toBe("input.categoryId");
  });
});

describe("parseUpdateProductInput", () => {
  it("keeps only the fields given (null keeps the value)", () => {
    expect(parseUpdateProductInput({})).toEqual({});
    expect(parseUpdateProductInput({ name: null, price: null, available: false })).toEqual({ available: false });
    expect(parseUpdateProductInput({ price: { amount: 5, currency: "USD" }, description: " new " })).toEqual({
      priceAmount: 5,
      currency: "USD",
      description: "new",
    });
  });

  it("validates what is given", () => {
    expect(fieldOf(() => parseUpdateProductInput({ price: { amount: -5, currency: "USD" } }))).toBe(
      "input.price.amount",
    );
    expect(fieldOf(() => parseUpdateProductInput({ categoryId: "x" }))).toBe("input.categoryId");
  });
});
