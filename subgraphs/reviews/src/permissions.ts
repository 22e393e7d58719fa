import { forbidden, isUuid } from "@commerce/common";
import { allow, and, deny, permissionsOf, rule, signedIn, type IRuleTypeMap } from "@commerce/subgraph";
import type { Context } from "./context.js";

/**
 * Row-level: the viewer wrote the review named by `input.id`. An unknown id passes, so the resolver can
 * answer NOT_FOUND; the resolvers' writes also match on the author, so a race cannot slip past.
 */
const isReviewAuthor = rule({ cache: "strict" })(async (
  _parent,
  { input }: { input: { id: string } },
  { viewer, loaders }: Context,
) => {
  const review = isUuid(input.id) ? await loaders.reviewById.load(input.id) : null;
  return (
    !review ||
    review.authorId === viewer?.userId ||
    forbidden("Only the author may change or delete a review.", { reason: "NOT_AUTHOR" })
  );
});

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny); the
 * federation fields (`_entities`, `_service`) are open because the router calls them. The coarse
 * rules repeat the SDL's `@authenticated`, which the router enforces first (test/permissions.test.ts
 * keeps the two equal).
 */
export const rules: IRuleTypeMap = {
  Query: { "*": deny, _entities: allow, _service: allow, review: allow },
  Mutation: {
    "*": deny,
    createReview: signedIn,
    updateReview: and(signedIn, isReviewAuthor),
    deleteReview: and(signedIn, isReviewAuthor),
  },
};

export const permissions = permissionsOf<Context>(rules);
