import { badUserInput, isUuid, unauthenticated } from "@commerce/common";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import type { Session } from "../authService.js";
import type { Context } from "../context.js";
import { addFavorite, removeFavorite } from "../data/favorites.js";
import type { UserRecord } from "../data/users.js";

/** The signed-in user's row; the token may outlive its account. */
async function signedInUser({ viewer, loaders }: Context): Promise<UserRecord> {
  const user = viewer ? await loaders.userById.load(viewer.userId) : null;
  if (!user) throw unauthenticated();
  return user;
}

/** Lets the payload show the user their own private fields. */
function authenticated(context: Context, session: Session): Session {
  context.authenticatedUserIds.add(session.user.id);
  return session;
}

function productIdOf(input: { productId: string }): string {
  if (!isUuid(input.productId))
    throw badUserInput("This is not a product id.", "input.productId", { reason: "INVALID_ID" });
  return input.productId.toLowerCase();
}

/** Adds or removes one of the signed-in user's favorites; the payload shows the user with the list as it now is. */
async function changeFavorites(
  context: Context,
  input: { productId: string },
  change: (db: Context["db"], userId: string, productId: string) => Promise<unknown>,
): Promise<{ user: UserRecord }> {
  const user = await signedInUser(context);
  const productId = productIdOf(input);
  await change(context.db, user.id, productId);
  context.loaders.favoritesByUserId.clear(user.id);
  return { user };
}

export const Mutation: MutationResolvers = {
  signUp: async (_parent, { input }, context) => authenticated(context, await context.auth.signUp(input)),
  logIn: async (_parent, { input }, context) => authenticated(context, await context.auth.logIn(input)),
  refreshAccessToken: async (_parent, { input }, context) =>
    authenticated(context, await context.auth.refreshAccessToken(input.refreshToken)),
  logOut: async (_parent, { input }, { auth }) => {
    await auth.logOut(input.refreshToken);
    return { loggedOut: true };
  },
  addFavorite: (_parent, { input }, context) => changeFavorites(context, input, addFavorite),
  removeFavorite: (_parent, { input }, context) => changeFavorites(context, input, removeFavorite),
};
