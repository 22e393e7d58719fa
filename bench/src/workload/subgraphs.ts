// The four subgraphs of the benchmark workload: SDL (Federation 2) and resolvers over ./data.ts.
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type GraphQLSchema } from "graphql";
import { IN_STOCK, PRODUCTS, REVIEWS, REVIEWS_OF_ANY_USER, USERS, type Product, type Review } from "./data.js";

export const SUBGRAPH_NAMES = ["accounts", "inventory", "products", "reviews"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const LINK = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${imports.map((i) => `"${i}"`).join(", ")}])`;

export const SUBGRAPH_SDL: Readonly<Record<SubgraphName, string>> = {
  accounts: `${LINK(["@key", "@shareable"])}
type Query {
  me: User
  user(id: ID!): User
  users: [User]
}
type User @key(fields: "id") {
  id: ID!
  name: String
  "Shareable: the reviews subgraph provides it on review authors."
  username: String @shareable
  birthday: Int
}`,
  inventory: `${LINK(["@key", "@external", "@requires"])}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}`,
  products: `${LINK(["@key"])}
type Query {
  topProducts(first: Int = 5): [Product]
}
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}`,
  reviews: `${LINK(["@key", "@external", "@provides"])}
type Review @key(fields: "id") {
  id: ID!
  body: String
  product: Product
  author: User @provides(fields: "username")
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}`,
};

const userById = new Map(USERS.map((user) => [user.id, user]));
const productByUpc = new Map(PRODUCTS.map((product) => [product.upc, product]));
const reviewById = new Map(REVIEWS.map((review) => [review.id, review]));
const reviewsByProduct = new Map<string, Review[]>();
for (const review of REVIEWS)
  reviewsByProduct.set(review.productUpc, [...(reviewsByProduct.get(review.productUpc) ?? []), review]);

type ProductRef = { upc: string; price?: number | null; weight?: number | null };

const RESOLVERS = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: ProductRef) => ({ ...ref, inStock: IN_STOCK[ref.upc] ?? null }),
      shippingEstimate: ({ price, weight }: ProductRef) => {
        if (price == null || weight == null) return null;
        // Free shipping above 1000, else half the weight.
        return price > 1000 ? 0 : Math.round(weight / 2);
      },
    },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, Math.max(0, first)) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
      product: (review: Review) => ({ upc: review.productUpc }),
      // @provides(fields: "username"): this subgraph answers the author's username itself.
      author: (review: Review) => ({ id: review.authorId, username: userById.get(review.authorId)?.username ?? null }),
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      reviews: () => REVIEWS_OF_ANY_USER,
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
      reviews: ({ upc }: Pick<Product, "upc">) => reviewsByProduct.get(upc) ?? [],
    },
  },
};

/** The executable schema of one benchmark subgraph. */
export function subgraphSchema(name: SubgraphName): GraphQLSchema {
  // The resolver maps are plain objects; buildSubgraphSchema's resolver type is stricter than it needs to be.
  return buildSubgraphSchema({ typeDefs: parse(SUBGRAPH_SDL[name]), resolvers: RESOLVERS[name] as never });
}
