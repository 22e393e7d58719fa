import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { actualCost } from "../../src/demandControl/actualCost.js";
import { estimateCost } from "../../src/demandControl/estimateCost.js";
import { readSupergraphMetadata } from "../../src/supergraph/metadata.js";
import { apiSchemaOf, composeSupergraph } from "../fixtures/subgraphs.js";

const supergraph = composeSupergraph();
const schema = apiSchemaOf(supergraph);
const directives = readSupergraphMetadata(parse(supergraph)).cost;
const estimate = (query: string, options: Parameters<typeof estimateCost>[2] = {}) => estimateCost(schema, parse(query), { directives, ...options });

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
    expect(estimate("query($n: Int) { products(first: $n) { edges { node { name } } } }", { variables: { n: 50 } })).toBe(101);
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
    const query = 'query Cheap { product(id: "p1") { name } } query Dear { products(first: 40) { edges { node { name } } } }';
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
