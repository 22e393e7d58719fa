import { conflict, isUuid, notFound } from "@commerce/common";
import type { MutationResolvers } from "../__generated__/resolvers.js";
import { isUniqueViolation } from "@commerce/db";
import { deleteOwnReview, insertReview, updateOwnReview } from "../data/reviews.js";
import { parseBody, parseRating } from "../reviewInput.js";

// Who may call each field: src/permissions.ts (signed in; update and delete only by the author).
export const Mutation: MutationResolvers = {
  async createReview(_parent, { input }, { db, viewer, catalog }) {
    if (!isUuid(input.productId)) throw notFound("Product", input.productId);
    const data = {
      productId: input.productId.toLowerCase(),
      authorId: viewer!.userId,
      rating: parseRating(input.rating, "input.rating"),
      body: parseBody(input.body ?? "", "input.body"),
    };
    // The catalog decides what exists (a SUBGRAPH_* error naming it when it cannot be asked).
    if (!(await catalog.findProducts([data.productId])).has(data.productId)) throw notFound("Product", input.productId);
    try {
      return { review: await insertReview(db, data) };
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict("You already reviewed this product; update that review instead.", "input.productId");
      throw error;
    }
  },
  async updateReview(_parent, { input: { id, rating, body } }, { db, viewer, loaders }) {
    const changes = {
      ...(rating !== null && rating !== undefined ? { rating: parseRating(rating, "input.rating") } : {}),
      ...(body !== null && body !== undefined ? { body: parseBody(body, "input.body") } : {}),
    };
    const review = isUuid(id)
      ? await updateOwnReview(db, { id: id.toLowerCase(), authorId: viewer!.userId, ...changes })
      : null;
    if (!review) throw notFound("Review", id);
    loaders.reviewById.clear(review.id).prime(review.id, review);
    return { review };
  },
  async deleteReview(_parent, { input: { id } }, { db, viewer, loaders }) {
    if (!isUuid(id) || !(await deleteOwnReview(db, { id: id.toLowerCase(), authorId: viewer!.userId })))
      throw notFound("Review", id);
    loaders.reviewById.clear(id);
    return { id: id.toLowerCase() };
  },
};
