import { ApolloGateway, LocalGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeBenchSupergraph } from "../src/workload/compose.js";
import { TEST_QUERY, TRIVIAL_QUERY } from "../src/workload/queries.js";
import { SUBGRAPH_NAMES, subgraphSchema, type SubgraphName } from "../src/workload/subgraphs.js";

const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://${name}.invalid/graphql`])) as Record<
  SubgraphName,
  string
>;
let server: ApolloServer;

beforeAll(async () => {
  const gateway = new ApolloGateway({
    supergraphSdl: composeBenchSupergraph(urls),
    buildService: ({ name }) => new LocalGraphQLDataSource(subgraphSchema(name as SubgraphName)),
  });
  server = new ApolloServer({ gateway });
  await server.start();
});
afterAll(() => server.stop());

async function run(query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown }> {
  const response = await server.executeOperation({ query });
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return response.body.singleResult as { data?: Record<string, unknown>; errors?: unknown };
}

describe("the benchmark workload", () => {
  it("answers TestQuery over all four subgraphs with the workload's shape and size", async () => {
    const result = await run(TEST_QUERY);
    expect(result.errors).toBeUndefined();
    const data = result.data as {
      users: { reviews: { product: { shippingEstimate: number; reviews: unknown[] } }[] }[];
      topProducts: { upc: string; inStock: boolean; reviews: unknown[] }[];
    };
    expect(data.users).toHaveLength(6);
    expect(data.topProducts.map((p) => p.upc)).toEqual(["1", "2", "3", "4", "5"]);
    expect(data.topProducts.map((p) => p.reviews.length)).toEqual([4, 4, 1, 2, 0]);
    expect(data.topProducts.map((p) => p.inStock)).toEqual([true, false, false, false, true]);
    // @requires(price weight): price 899 ≤ 1000, so half the weight of 100.
    expect(data.users[0]?.reviews[0]?.product.shippingEstimate).toBe(50);
    const kilobytes = JSON.stringify(result).length / 1024;
    expect(kilobytes).toBeGreaterThan(80);
    expect(kilobytes).toBeLessThan(90);
  });

  it("answers the trivial query from accounts alone", async () => {
    expect(await run(TRIVIAL_QUERY)).toEqual({ data: { me: { id: "1", username: "urigo" } } });
  });
});
