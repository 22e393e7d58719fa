import type { ProductResolvers } from "../__generated__/resolvers.js";
import { parseReviewPageArgs } from "../models.js";

export const Product: ProductResolvers = {
  // Reviews keeps no product rows: the reference is the entity; its fields load through batched loaders.
  __resolveReference: ({ id }) => ({ id }),
  // One GROUP BY for every product of the request.
  rating: (product, _args, { loaders }) => loaders.ratingByProductId.load(product.id),
  // One LATERAL query for every product of the request asking with the same arguments.
  async reviews(product, args, { loaders }) {
    const page = parseReviewPageArgs(args);
    return { rows: await loaders.reviewsByProductId(page).load(product.id), first: page.first };
  },
};
