import { readFile } from "node:fs/promises";
import { prepareSupergraph } from "@commerce/analysis";
import { describe, expect, it } from "vitest";
import { DEFAULT_SUPERGRAPH_PATH } from "../../src/config.js";

describe("the repository's supergraph", () => {
  it("is accepted, keeping @inaccessible for the gateway, with its authorization and cost directives read", async () => {
    const { sdl, metadata } = prepareSupergraph(await readFile(DEFAULT_SUPERGRAPH_PATH, "utf8"));
    expect(sdl).not.toMatch(/(authenticated|requiresScopes)\/v0\.1", for: SECURITY/);
    expect(metadata.access.fields.get("Mutation.createProduct")).toEqual({
      authenticated: true,
      scopes: [["catalog:write"]],
    });
    expect(metadata.access.fields.get("Query.me")).toEqual({ authenticated: true, scopes: [] });
    expect(metadata.cost.listSizes.get("Query.products")).toMatchObject({
      slicingArguments: ["first"],
      sizedFields: ["edges"],
    });
  });
});
