import { readFile } from "node:fs/promises";
import { ApolloClient, HttpLink, InMemoryCache, gql, type DocumentNode } from "@apollo/client";
import { Defer20220824Handler } from "@apollo/client/incremental";
import { defined, postGraphQL } from "@commerce/testing";
import { parse, print, visit } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraph, type Graph } from "./graph.js";

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

/** Apollo Client as a storefront sets it up for `@defer` (its HTTP link reads multipart/mixed responses). */
function storefrontClient(url: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: url }),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
  });
}

const withoutDefer = (document: DocumentNode): DocumentNode =>
  parse(print(visit(document, { Directive: (node) => (node.name.value === "defer" ? null : undefined) })));

type ProductPage = {
  product: {
    name: string;
    rating?: { count: number } | null;
    reviews?: { edges: { node: { body: string; author: { displayName: string } } }[] } | null;
  } | null;
};

describe("@defer with Apollo Client against the whole graph", () => {
  it("gets the product first and its reviews after, and the merged result is the non-deferred query's", async () => {
    // A seeded product that has reviews (so the deferred part has data from reviews and accounts).
    const listed = await postGraphQL<{
      products: { edges: { node: { id: string; rating: { count: number } | null } }[] };
    }>(graph.url, "{ products(first: 50) { edges { node { id rating { count } } } } }");
    const reviewed = defined(
      listed.data?.products.edges.find((edge) => (edge.node.rating?.count ?? 0) > 0),
      "a product with reviews",
    ).node;

    const query = gql(
      await readFile(new URL("../../../operations/catalog/ProductDetailWithReviews.graphql", import.meta.url), "utf8"),
    );
    const variables = { id: reviewed.id };
    const seen: { dataState: string; data: ProductPage | undefined }[] = [];
    const deferred = await new Promise<ProductPage>((resolve, reject) => {
      const subscription = storefrontClient(graph.url)
        .watchQuery<ProductPage>({ query, variables, fetchPolicy: "network-only" })
        .subscribe({
          next: (result) => {
            if (result.error) reject(result.error);
            if (result.dataState === "empty") return;
            seen.push({ dataState: result.dataState, data: structuredClone(result.data) as ProductPage | undefined });
            if (result.dataState === "complete") {
              subscription.unsubscribe();
              resolve(result.data as ProductPage);
            }
          },
          error: reject,
        });
    });

    // The first chunk: the product without the deferred fragment's fields; then the whole page.
    expect(seen.map((result) => result.dataState)).toEqual(["streaming", "complete"]);
    const first = defined(seen[0]?.data?.product, "the product in the first chunk");
    expect(first.name).toBeTruthy();
    expect(first).not.toHaveProperty("reviews");
    expect(first).not.toHaveProperty("rating");
    expect(deferred.product?.reviews?.edges.length).toBeGreaterThan(0);
    expect(deferred.product?.reviews?.edges[0]?.node.author.displayName).toBeTruthy();

    const plain = await storefrontClient(graph.url).query<ProductPage>({
      query: withoutDefer(query),
      variables,
      fetchPolicy: "network-only",
    });
    expect(plain.error).toBeUndefined();
    expect(deferred).toEqual(plain.data);
  });
});
