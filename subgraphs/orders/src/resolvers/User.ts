import type { UserResolvers } from "../__generated__/resolvers.js";
import { parseOrderPageArgs } from "../pagination.js";

export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  // Only the user themself and staff (src/permissions.ts). Every user of the request shares one SQL statement.
  async orders(user, args, { loaders }) {
    const page = parseOrderPageArgs(args);
    return { rows: await loaders.ordersByCustomerId(page).load(user.id), first: page.first };
  },
};
