import type { Resolvers } from "../__generated__/resolvers.js";
import { DateTime } from "@commerce/subgraph";
import { Mutation } from "./Mutation.js";
import { Product } from "./Product.js";
import { Query } from "./Query.js";
import { Review } from "./Review.js";
import { ReviewConnection } from "./ReviewConnection.js";
import { User } from "./User.js";

/** Every resolver of the reviews subgraph; src/server.ts applies the permission rules (graphql-shield). */
export const resolvers: Resolvers = { DateTime, Query, Mutation, Product, User, Review, ReviewConnection };
