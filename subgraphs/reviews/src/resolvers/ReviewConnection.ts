import type { Review } from "@commerce/db";
import { connectionResolvers, encodeCreatedAtCursor } from "@commerce/subgraph";
import type { ReviewConnectionResolvers } from "../__generated__/resolvers.js";

export const ReviewConnection: ReviewConnectionResolvers = connectionResolvers<Review>(encodeCreatedAtCursor);
