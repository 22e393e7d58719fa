import type { UserResolvers } from "../__generated__/resolvers.js";

export const User: UserResolvers = {
  // This subgraph keeps no user rows: the reference is all it needs; `loyalty` loads through a batched loader.
  __resolveReference: ({ id }) => ({ id }),
  // Only the member themself and staff (src/permissions.ts).
  loyalty: (user, _args, { loaders }) => loaders.accountByUserId.load(user.id),
};
