import { describe, expect, it } from "vitest";
import { authorizationMismatches } from "@commerce/subgraph";
import { rules } from "../src/permissions.js";
import { subgraph } from "../src/server.js";

describe("permissions", () => {
  it("has the SDL's @authenticated / @requiresScopes as the shield's coarse rules, and a rule for every root field", () => {
    expect(authorizationMismatches(subgraph.typeDefs, rules)).toEqual([]);
  });
});
