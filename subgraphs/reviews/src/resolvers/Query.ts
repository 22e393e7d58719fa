import type { QueryResolvers } from "../__generated__/resolvers.js";

export const Query: QueryResolvers = {
  review: (_parent, { id }, { loaders }) => loaders.reviewById.load(id),
};
