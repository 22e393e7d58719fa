import { describe, expect, it } from "vitest";
import { compose, type SubgraphSource } from "../src/compose.js";

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])`;
const source = (name: string, sdl: string): SubgraphSource => ({
  name,
  url: `http://${name}/graphql`,
  schemaPath: `${name}.graphql`,
  sdl: `${link}\n${sdl}`,
});

describe("compose", () => {
  it("joins entities across subgraphs into one supergraph", () => {
    const result = compose([
      source("a", `type User @key(fields: "id") { id: ID! name: String! } type Query { me: User }`),
      source("b", `type User @key(fields: "id") { id: ID! favoriteColor: String }`),
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.supergraphSdl).toContain('@join__graph(name: "a", url: "http://a/graphql")');
    expect(result.supergraphSdl).toMatch(/favoriteColor: String @join__field\(graph: B\)/);
  });

  it("reports a conflicting field type readably", () => {
    const result = compose([
      source("a", `type Money @shareable { amount: Int! } type Query { price: Money }`),
      source("b", `type Money @shareable { amount: String! } type Query { cost: Money }`),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join("\n")).toMatch(/FIELD_TYPE_MISMATCH.*Money\.amount/);
  });

  it("names the subgraph whose SDL does not parse", () => {
    const result = compose([source("broken", "type Query { oops( }")]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatch(/^subgraph "broken" \(broken\.graphql\): Syntax Error/);
  });
});
