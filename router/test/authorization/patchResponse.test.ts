import { PLACEHOLDER_KEY } from "@commerce/analysis";
import { describe, expect, it } from "vitest";
import { patchResponse } from "../../src/authorization/patchResponse.js";

describe("patchResponse", () => {
  it("sets nulls (every list item for `@`) and strips placeholders", () => {
    const data = {
      me: { name: "Ada", favorites: [{ [PLACEHOLDER_KEY]: "Product" }, { [PLACEHOLDER_KEY]: "Product" }] },
    };
    patchResponse(
      data,
      [
        ["me", "email"],
        ["me", "favorites", "@", "supplierCost"],
        ["missing", "x"],
      ],
      [["me", "favorites", "@", PLACEHOLDER_KEY]],
    );
    expect(data).toEqual({
      me: { name: "Ada", favorites: [{ supplierCost: null }, { supplierCost: null }], email: null },
    });
  });
});
