import type { UserResolvers } from "../__generated__/resolvers.js";
import { Scope, type Viewer } from "@commerce/auth";

/** The user themself (signed in, or just authenticated by this request) or a viewer allowed to read all users. */
function canSeePrivateFields(
  userId: string,
  viewer: Viewer | null,
  authenticatedUserIds: ReadonlySet<string>,
): boolean {
  return viewer?.userId === userId || authenticatedUserIds.has(userId) || viewer?.scopes.has(Scope.USERS_READ) === true;
}

export const User: UserResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.userById.load(id),
  email: (user, _args, { viewer, authenticatedUserIds }) =>
    canSeePrivateFields(user.id, viewer, authenticatedUserIds) ? user.email : null,
  favorites: async (user, _args, { loaders }) =>
    (await loaders.favoritesByUserId.load(user.id)).map(({ productId }) => ({ id: productId })),
};
