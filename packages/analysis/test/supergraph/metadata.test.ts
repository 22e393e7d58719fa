import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import {
  costDirectivesFromSdl,
  prepareSupergraph,
  readSupergraphMetadata,
  UnenforceableSupergraphError,
} from "../../src/supergraph/metadata.js";
import { composeSupergraph } from "../fixtures/supergraph.js";

describe("prepareSupergraph", () => {
  it("drops `for: SECURITY` from the authorization links only, keeping every directive application", () => {
    const original = composeSupergraph();
    expect(original).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)');
    const { sdl } = prepareSupergraph(original);
    expect(sdl).not.toContain("SECURITY)");
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1")');
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)');
    expect(sdl).toContain('email: String @requiresScopes(scopes: [["users:read"]])');
  });

  it("refuses a supergraph with a security spec the router does not enforce", () => {
    const result = composeServices([
      {
        name: "a",
        url: "http://a",
        typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@policy"])
          type Query { a: Int @policy(policies: [["admin"]]) }`),
      },
    ]);
    expect(() => prepareSupergraph(result.supergraphSdl ?? "")).toThrow(UnenforceableSupergraphError);
  });
});

describe("readSupergraphMetadata", () => {
  const { access, cost } = readSupergraphMetadata(parse(composeSupergraph()));

  it("reads @authenticated and @requiresScopes on fields and types", () => {
    expect(access.fields.get("User.email")).toEqual({ authenticated: true, scopes: [["users:read"]] });
    expect(access.fields.get("Product.supplierCost")).toEqual({ authenticated: true, scopes: [["catalog:write"]] });
    expect(access.types.get("Secret")).toEqual({ authenticated: true, scopes: [] });
    expect(access.fields.has("User.name")).toBe(false);
  });

  it("reads @cost and @listSize", () => {
    expect(cost.fieldWeights.get("Product.rating")).toBe(5);
    expect(cost.listSizes.get("Query.products")).toEqual({
      slicingArguments: ["first"],
      sizedFields: ["edges"],
      requireOneSlicingArgument: true,
    });
  });

  it("reads cost directives from a subgraph SDL too, under renamed imports", () => {
    const directives = costDirectivesFromSdl(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [{ name: "@cost", as: "@weight" }, "@listSize"])
      type Query { items(limit: Int @weight(weight: 3)): [Int] @listSize(assumedSize: 7) @weight(weight: 2) }
      scalar Big @weight(weight: 4)
    `);
    expect(directives.fieldWeights.get("Query.items")).toBe(2);
    expect(directives.argumentWeights.get("Query.items(limit:)")).toBe(3);
    expect(directives.typeWeights.get("Big")).toBe(4);
    expect(directives.listSizes.get("Query.items")).toEqual({ assumedSize: 7, requireOneSlicingArgument: true });
  });
});
