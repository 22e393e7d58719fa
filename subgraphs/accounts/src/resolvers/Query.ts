import type { QueryResolvers } from "../__generated__/resolvers.js";

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer, loaders }) => (viewer ? loaders.userById.load(viewer.userId) : null),
  user: (_parent, { id }, { loaders }) => loaders.userById.load(id),
};
