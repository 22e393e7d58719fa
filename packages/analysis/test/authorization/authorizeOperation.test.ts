import { buildSchema, parse, print } from "graphql";
import { describe, expect, it } from "vitest";
import { authorizeOperation, PLACEHOLDER_KEY, satisfies } from "../../src/authorization/authorizeOperation.js";
import { readSupergraphMetadata, type AccessPolicies } from "../../src/supergraph/metadata.js";
import { apiSchemaOf, composeSupergraph } from "../fixtures/supergraph.js";

const supergraph = composeSupergraph();
const schema = apiSchemaOf(supergraph);
const { access } = readSupergraphMetadata(parse(supergraph));
const staff = { scopes: new Set(["users:read", "staff", "catalog:write"]) };
const customer = { scopes: new Set<string>() };
const run = (query: string, caller: { scopes: ReadonlySet<string> } | null) =>
  authorizeOperation(schema, parse(query), access, caller);

describe("satisfies", () => {
  it("needs a caller for @authenticated and one full scope set for @requiresScopes", () => {
    expect(satisfies({ authenticated: true, scopes: [] }, null)).toBe(false);
    expect(satisfies({ authenticated: true, scopes: [] }, customer)).toBe(true);
    expect(satisfies({ authenticated: true, scopes: [["a", "b"], ["c"]] }, { scopes: new Set(["c"]) })).toBe(true);
    expect(satisfies({ authenticated: true, scopes: [["a", "b"]] }, { scopes: new Set(["a"]) })).toBe(false);
  });
});

describe("authorizeOperation", () => {
  it("leaves an authorized operation untouched", () => {
    const document = parse("{ me { name email internalNote } }");
    expect(authorizeOperation(schema, document, access, staff)).toEqual({
      denied: [],
      document,
      nulls: [],
      placeholders: [],
      dataIsNull: false,
    });
  });

  it("removes a denied nullable field and marks its path null, through lists", () => {
    const result = run("{ me { name email favorites { name cost: supplierCost } } }", customer);
    expect(result.denied).toEqual([
      { path: ["me", "email"], coordinate: "User.email" },
      { path: ["me", "favorites", "@", "cost"], coordinate: "Product.supplierCost" },
    ]);
    expect(print(result.document)).toBe("{\n  me {\n    name\n    favorites {\n      name\n    }\n  }\n}");
    expect(result.nulls).toEqual([
      ["me", "email"],
      ["me", "favorites", "@", "cost"],
    ]);
  });

  it("nulls the nearest nullable parent of a denied non-null field", () => {
    const result = run('{ me { name internalNote } product(id: "p1") { name } }', customer);
    expect(result.denied.map((d) => d.coordinate)).toEqual(["User.internalNote"]);
    expect(print(result.document)).not.toMatch(/\bme\b/);
    expect(result.nulls).toEqual([["me"]]);
    expect(result.dataIsNull).toBe(false);
  });

  it("filters inside named and inline fragments, with paths as used", () => {
    const result = run(
      "query { me { ...Private favorites { ... on Product { supplierCost } } } } fragment Private on User { email }",
      customer,
    );
    expect(result.denied.map((d) => d.path.join("."))).toEqual(["me.email", "me.favorites.@.supplierCost"]);
    // Emptied selection sets keep an aliased __typename, stripped from the response later.
    expect(result.placeholders).toEqual([["me", "favorites", "@", PLACEHOLDER_KEY]]);
  });

  it("denies @authenticated types to anonymous callers", () => {
    const result = run("{ secret { code } }", null);
    expect(result.denied).toEqual([{ path: ["secret"], coordinate: "Query.secret" }]);
    expect(run("{ secret { code } }", customer).denied).toEqual([]);
  });

  it("checks every implementation of an interface field", () => {
    const shapes = buildSchema(
      "interface Node { id: ID! secret: String } type A implements Node { id: ID! secret: String } type Query { node: Node }",
    );
    const policies: AccessPolicies = {
      fields: new Map([["A.secret", { authenticated: true, scopes: [["x"]] }]]),
      types: new Map(),
    };
    expect(authorizeOperation(shapes, parse("{ node { id secret } }"), policies, customer).denied).toEqual([
      { path: ["node", "secret"], coordinate: "Node.secret" },
    ]);
  });

  it("marks the whole data null when a denied non-null field has no nullable parent", () => {
    const strict = buildSchema("type Query { me: User! } type User { note: String! }");
    const policies: AccessPolicies = {
      fields: new Map([["User.note", { authenticated: true, scopes: [] }]]),
      types: new Map(),
    };
    expect(authorizeOperation(strict, parse("{ me { note } }"), policies, null).dataIsNull).toBe(true);
  });
});
