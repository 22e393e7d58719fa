import type { UserResolvers } from "../__generated__/resolvers.js";
import { parseReviewPageArgs } from "../models.js";

export const User: UserResolvers = {
  // Reviews keeps no user rows: the reference is the entity; `reviews` loads through a batched loader.
  __resolveReference: ({ id }) => ({ id }),
  async reviews(user, args, { loaders }) {
    const page = parseReviewPageArgs(args);
    return { rows: await loaders.reviewsByAuthorId(page).load(user.id), first: page.first };
  },
};
