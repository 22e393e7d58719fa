import { describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import { MAX_PAGE_SIZE, pageRows } from "@commerce/subgraph";
import {
  MAX_SEARCH_LENGTH,
  decodeCursor,
  encodeCursor,
  likePattern,
  normalizeSearch,
  parsePageArgs,
  parseProductFilter,
} from "../src/pagination.js";

const ID = "0b6f3a2e-6b1c-4a59-9d1e-3f7c2a1b4c5d";

/** The coded error a function throws, for asserting on code and details. */
function thrown(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error("expected a GraphQLError");
}

describe("cursors", () => {
  it("round-trip names with any characters", () => {
    for (const name of ["Burger", "", 'Crème brûlée "spécial" / 100%', "🍔 + 🍟"]) {
      expect(decodeCursor(encodeCursor({ name, id: ID }))).toEqual({ name, id: ID });
    }
  });

  it("are opaque base64url (no padding, no JSON visible)", () => {
    const cursor = encodeCursor({ name: "Burger", id: ID });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain("Burger");
  });

  it("reject anything this API did not issue", () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of [
      "",
      "garbage",
      "!!!",
      "eyJ2IjoxLC", // truncated
      b64({ v: 2, n: "a", i: ID }), // another format version
      b64({ v: 1, n: "a", i: "not-a-uuid" }),
      b64({ v: 1, n: 5, i: ID }),
      b64([1, "a", ID]),
      b64(null),
    ]) {
      expect(decodeCursor(cursor), cursor).toBeNull();
    }
  });
});

describe("parsePageArgs", () => {
  it("defaults first to 20 and accepts 0..MAX_PAGE_SIZE", () => {
    expect(parsePageArgs({})).toEqual({ first: 20, after: null });
    expect(parsePageArgs({ first: 0 }).first).toBe(0);
    expect(parsePageArgs({ first: MAX_PAGE_SIZE }).first).toBe(MAX_PAGE_SIZE);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it("rejects first out of range with BAD_USER_INPUT, field and max", () => {
    for (const first of [-1, MAX_PAGE_SIZE + 1, 1.5]) {
      const error = thrown(() => parsePageArgs({ first }));
      expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first", max: MAX_PAGE_SIZE });
    }
  });

  it("decodes after, and rejects a bad one naming `after`", () => {
    const after = encodeCursor({ name: "Fries", id: ID });
    expect(parsePageArgs({ first: 5, after })).toEqual({ first: 5, after: { name: "Fries", id: ID } });
    expect(thrown(() => parsePageArgs({ after: "nope" })).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "after",
    });
  });
});

describe("filters", () => {
  it("trims search, drops a blank one, and limits its length", () => {
    expect(normalizeSearch("  Fries ", "filter.search")).toBe("Fries");
    expect(normalizeSearch("   ", "filter.search")).toBeUndefined();
    expect(normalizeSearch(null, "filter.search")).toBeUndefined();
    expect(normalizeSearch(` ${"x".repeat(MAX_SEARCH_LENGTH)} `, "filter.search")).toHaveLength(MAX_SEARCH_LENGTH);
    const error = thrown(() => normalizeSearch("x".repeat(MAX_SEARCH_LENGTH + 1), "filter.search"));
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.search", max: MAX_SEARCH_LENGTH });
  });

  it("validates categoryId and keeps only the conditions given", () => {
    expect(parseProductFilter(null)).toEqual({});
    expect(parseProductFilter({ categoryId: ID.toUpperCase(), search: " a ", available: false })).toEqual({
      categoryId: ID,
      search: "a",
      available: false,
    });
    expect(parseProductFilter({ categoryId: null, search: null, available: null })).toEqual({});
    expect(thrown(() => parseProductFilter({ categoryId: "burgers" })).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "filter.categoryId",
    });
  });

  it("escapes LIKE wildcards and backslashes in search patterns", () => {
    expect(likePattern("100%")).toBe("%100\\%%");
    expect(likePattern("a_b")).toBe("%a\\_b%");
    expect(likePattern("c:\\x")).toBe("%c:\\\\x%");
    expect(likePattern("plain")).toBe("%plain%");
  });
});

describe("pageRows", () => {
  it("drops the look-ahead row", () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n) })) as never[];
    const page = { rows, first: 2, hasPreviousPage: false, totalCount: async () => 3 };
    expect(pageRows(page)).toHaveLength(2);
    expect(pageRows({ ...page, first: 3 })).toHaveLength(3);
  });
});
