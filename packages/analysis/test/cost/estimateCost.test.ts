import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { actualCost } from "../../src/cost/actualCost.js";
import { estimateCost } from "../../src/cost/estimateCost.js";
import { readSupergraphMetadata } from "../../src/supergraph/metadata.js";
import { apiSchemaOf, composeSupergraph } from "../fixtures/supergraph.js";

const supergraph = composeSupergraph();
const schema = apiSchemaOf(supergraph);
const directives = readSupergraphMetadata(parse(supergraph)).cost;
const estimate = (query: string, options: Parameters<typeof estimateCost>[2] = {}) =>
  estimateCost(schema, parse(query), { directives, ...options });

describe("estimateCost", () => {
  it("costs objects 1 and scalars 0", () => {
    expect(estimate('{ product(id: "p1") { id name price } }')).toBe(1);
    expect(estimate("{ __typename }")).toBe(0);
  });

  it("multiplies a list by the default size when nothing sizes it", () => {
    // me 1 + favorites 10 × Product 1
    expect(estimate("{ me { favorites { name } } }")).toBe(11);
    expect(estimate("{ me { favorites { name } } }", { defaultListSize: 3 })).toBe(4);
  });

  it("sizes a connection's edges by its slicing argument, from a literal, a variable or the schema default", () => {
    // products 1 + edges first × (edge 1 + node 1)
    expect(estimate("{ products(first: 3) { edges { node { name } } } }")).toBe(7);
    expect(
      estimate("query($n: Int) { products(first: $n) { edges { node { name } } } }", { variables: { n: 50 } }),
    ).toBe(101);
    expect(estimate("{ products { edges { node { name } } } }")).toBe(11);
  });

  it("applies @cost weights, which multiply with their list", () => {
    // per edge: edge 1 + node 1 + rating 5
    expect(estimate("{ products(first: 2) { edges { node { rating } } } }")).toBe(15);
  });

  it("adds the mutation base cost", () => {
    const mutations = buildSchema("type Query { a: Int } type Mutation { save: Result } type Result { ok: Boolean }");
    expect(estimateCost(mutations, parse("mutation { save { ok } }"))).toBe(11);
    expect(estimateCost(mutations, parse("mutation { save { ok } }"), { mutationCost: 0 })).toBe(1);
  });

  it("costs a fragment bomb in linear time, clamped instead of overflowing", () => {
    const levels = 60;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const query = `query Bomb { ...F0 } ${fragments.join(" ")} fragment F${levels} on Query { product(id: "p1") { name } }`;
    expect(estimate(query)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("costs the named operation", () => {
    const query =
      'query Cheap { product(id: "p1") { name } } query Dear { products(first: 40) { edges { node { name } } } }';
    expect(estimate(query, { operationName: "Cheap" })).toBe(1);
    expect(estimate(query, { operationName: "Dear" })).toBe(81);
  });
});

describe("actualCost", () => {
  it("applies the same weights to what the response holds", () => {
    const document = parse("{ products(first: 10) { edges { node { rating } } } }");
    const data = { products: { edges: [{ node: { rating: 4 } }, { node: { rating: 5 } }] } };
    expect(actualCost(schema, document, data, { directives })).toBe(1 + 2 * 7);
    expect(actualCost(schema, parse('{ product(id: "x") { name } }'), { product: null }, { directives })).toBe(0);
  });
});

describe("actualCost over fragments, aliases and abstract types", () => {
  const shapes = buildSchema(`
    type Query { items: [Item!]! }
    interface Item { id: ID! }
    type Box implements Item { id: ID! parts: [Part!]! }
    type Part implements Item { id: ID! }
  `);
  const document = parse(`
    query Items { items { __typename ...Boxed ... on Part { id } } first: items { id } }
    fragment Boxed on Box { id parts { id } more: parts { ...Parted } }
    fragment Parted on Part { id }
  `);

  it("costs each object by its runtime type, with fragments expanded and aliases read", () => {
    const data = {
      items: [
        { __typename: "Box", id: "b1", parts: [{ id: "p1" }, { id: "p2" }], more: [{ id: "p1" }] },
        { __typename: "Part", id: "p3" },
      ],
      first: [{ id: "b1" }, { id: "p3" }],
    };
    // items: Box 1 + parts 2 + more 1, Part 1; first: 2
    expect(actualCost(shapes, document, data)).toBe(7);
  });

  it("gives the same figure for the same document served again, over other data", () => {
    expect(actualCost(shapes, document, { items: [{ __typename: "Part", id: "p1" }], first: [] })).toBe(1);
    expect(
      actualCost(shapes, document, {
        items: [{ __typename: "Box", id: "b", parts: [], more: [] }],
        first: [{ id: "b" }],
      }),
    ).toBe(2);
  });
});
