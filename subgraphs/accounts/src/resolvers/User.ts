import type { UserResolvers } from "../__generated__/resolvers.js";
import { USERS_READ_SCOPE } from "../scopes.js";

export const User: UserResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.userById.load(id),
  email: (user, _args, { viewer }) => (viewer && (viewer.userId === user.id || viewer.scopes.has(USERS_READ_SCOPE)) ? user.email : null),
  favorites: async (user, _args, { loaders }) => (await loaders.favoritesByUserId.load(user.id)).map(({ productId }) => ({ id: productId })),
};
