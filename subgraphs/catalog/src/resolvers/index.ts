import type { Resolvers } from "../__generated__/resolvers.js";
import { Category } from "./Category.js";
import { Mutation } from "./Mutation.js";
import { Product } from "./Product.js";
import { ProductConnection } from "./ProductConnection.js";
import { Query } from "./Query.js";

/** Every resolver of the catalog; permissions.ts guards them (graphql-shield, applied in server.ts). */
export const resolvers: Resolvers = { Query, Mutation, Product, Category, ProductConnection };
