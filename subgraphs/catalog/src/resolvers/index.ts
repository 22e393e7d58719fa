import type { Resolvers } from "../__generated__/resolvers.js";
import { applyPermissions } from "../permissions.js";
import { Category } from "./Category.js";
import { Mutation } from "./Mutation.js";
import { Product } from "./Product.js";
import { ProductConnection } from "./ProductConnection.js";
import { Query } from "./Query.js";

/** Every resolver of the catalog, with the permission rules applied. */
export const resolvers: Resolvers = applyPermissions({ Query, Mutation, Product, Category, ProductConnection });
