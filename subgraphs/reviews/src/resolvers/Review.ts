import type { ReviewResolvers } from "../__generated__/resolvers.js";

export const Review: ReviewResolvers = {
  // By id, or by the compound key (productId, authorId): both through loaders.
  __resolveReference: (reference, { loaders }) =>
    "id" in reference
      ? loaders.reviewById.load(reference.id)
      : loaders.reviewByProductAuthor.load({ productId: reference.productId, authorId: reference.authorId }),
  product: (review) => ({ id: review.productId }),
  author: (review) => ({ id: review.authorId }),
};
