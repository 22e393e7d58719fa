import { composeServices } from "@apollo/composition";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner } from "@apollo/query-planner";
import { parse, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { estimateCost } from "../../src/cost/estimateCost.js";
import { estimateEntityFetchCost, estimatePlanCost, type PlanCostOptions } from "../../src/cost/planCost.js";
import { prepareSupergraph, readSupergraphMetadata, type CostDirectives } from "../../src/supergraph/metadata.js";
import { composeSupergraph } from "../fixtures/supergraph.js";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])`;
const CATALOG_QUERY = `
  type Query {
    products(first: Int = 5): ProductConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  }
  type ProductConnection { edges: [ProductEdge!]! }
  type ProductEdge { node: Product! }
`;

const REVIEWS = `reviews(first: Int = 2): [Review!]! @listSize(slicingArguments: ["first"])`;
const REVIEW = "type Review { body: String! }";

/** The same API, `Product.rating` served by catalog itself (`together`) or by a reviews subgraph (`split`). */
const layouts = {
  together: [
    {
      name: "catalog",
      typeDefs: `${LINK} ${CATALOG_QUERY} type Product @key(fields: "id") { id: ID! name: String! rating: Float @cost(weight: 5) ${REVIEWS} } ${REVIEW}`,
    },
  ],
  split: [
    { name: "catalog", typeDefs: `${LINK} ${CATALOG_QUERY} type Product @key(fields: "id") { id: ID! name: String! }` },
    {
      name: "reviews",
      typeDefs: `${LINK} type Product @key(fields: "id") { id: ID! rating: Float @cost(weight: 5) ${REVIEWS} } ${REVIEW}`,
    },
  ],
};

/** An API schema, its cost directives and a planner over one supergraph, as the gateway builds them. */
interface Planned {
  schema: GraphQLSchema;
  directives: CostDirectives;
  plan: (query: string, options?: PlanCostOptions) => { document: number; plan: number; fetches: number };
}

function planned(supergraphSdl: string): Planned {
  const supergraph = Supergraph.build(prepareSupergraph(supergraphSdl).sdl);
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  const directives = readSupergraphMetadata(parse(supergraphSdl)).cost;
  const planner = new QueryPlanner(supergraph);
  return {
    schema,
    directives,
    plan: (query, options = {}) => {
      const document = parse(query);
      const queryPlan = planner.buildQueryPlan(operationFromDocument(apiSchema, document));
      const all = { directives, ...options };
      return {
        document: estimateCost(schema, document, all),
        plan: estimatePlanCost(schema, document, queryPlan, all),
        fetches: estimateEntityFetchCost(schema, document, queryPlan, all),
      };
    },
  };
}

function compose(name: keyof typeof layouts): Planned {
  const result = composeServices(
    layouts[name].map((s) => ({ name: s.name, url: `http://${s.name}.invalid`, typeDefs: parse(s.typeDefs) })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("; "));
  return planned(result.supergraphSdl);
}

const together = compose("together");
const split = compose("split");

describe("estimatePlanCost", () => {
  const query = "{ products(first: 3) { edges { node { name rating } } } }";

  it("costs an operation crossing subgraphs more than the same selection served by one subgraph", () => {
    // Same document: products 1 + 3 × (edge 1 + node 1 + rating 5).
    expect(together.plan(query).document).toBe(22);
    expect(split.plan(query).document).toBe(22);
    // One subgraph: one root fetch, nothing added.
    expect(together.plan(query)).toEqual({ document: 22, plan: 22, fetches: 0 });
    // Split: the reviews fetch gets 3 representations (first: 3) × (Product 1 + rating 5), plus the fetch weight 1.
    expect(split.plan(query)).toEqual({ document: 22, plan: 22 + 3 * 6 + 1, fetches: 19 });
  });

  it("counts what a representation resolves directly, not the subtree the document estimate already has", () => {
    const nested = "{ products(first: 3) { edges { node { reviews(first: 4) { body } } } } }";
    // products 1 + 3 × (edge 1 + node 1 + 4 reviews × 1)
    expect(together.plan(nested)).toEqual({ document: 19, plan: 19, fetches: 0 });
    // 3 representations × (Product 1 + the reviews field 1) + the fetch 1; the 4 reviews each are not counted twice.
    expect(split.plan(nested)).toEqual({ document: 19, plan: 26, fetches: 7 });
  });

  it("bounds the representations by the list they hang under: slicing argument, variable or default size", () => {
    const sliced = "query($n: Int) { products(first: $n) { edges { node { rating } } } }";
    expect(split.plan(sliced, { variables: { n: 40 } }).fetches).toBe(1 + 40 * 6);
    // Without `first`, the schema default (5) sizes the edges.
    expect(split.plan("{ products { edges { node { rating } } } }").fetches).toBe(1 + 5 * 6);
    // The fixture graph: `favorites` has no @listSize, so the default list size applies.
    const fixture = planned(composeSupergraph());
    expect(fixture.plan("{ me { favorites { name } } }")).toEqual({ document: 11, plan: 22, fetches: 1 + 10 * 1 });
    expect(fixture.plan("{ me { favorites { name } } }", { defaultListSize: 3 }).fetches).toBe(1 + 3 * 1);
  });

  it("follows aliases and fragments to the list, and applies the per-fetch weight", () => {
    const aliased =
      "{ top: products(first: 2) { ...E } } fragment E on ProductConnection { edges { n: node { rating } } }";
    expect(split.plan(aliased).fetches).toBe(1 + 2 * 6);
    expect(split.plan(aliased, { entityFetchWeight: 10 }).fetches).toBe(10 + 2 * 6);
  });

  it("follows a @skip/@include condition when its variable is given, else takes the dearer branch", () => {
    const conditional =
      "query($withRating: Boolean!) { products(first: 4) { edges { node { name rating @include(if: $withRating) } } } }";
    expect(split.plan(conditional, { variables: { withRating: false } }).fetches).toBe(0);
    expect(split.plan(conditional, { variables: { withRating: true } }).fetches).toBe(1 + 4 * 6);
    expect(split.plan(conditional).fetches).toBe(1 + 4 * 6);
  });

  it("adds nothing for a plan without a node", () => {
    expect(estimateEntityFetchCost(split.schema, parse("{ __typename }"), {}, { directives: split.directives })).toBe(
      0,
    );
  });
});
