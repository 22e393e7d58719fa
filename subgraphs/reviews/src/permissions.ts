import { allow, and, deny, rule, shield } from "@commerce/subgraph";
import type { IMiddlewareGenerator } from "graphql-middleware";
import { forbidden, isUuid, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";

const isAuthenticated = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) => viewer !== null || unauthenticated());

/**
 * The viewer wrote the review named by `input.id`. An unknown id passes, so the resolver can
 * answer NOT_FOUND; the resolvers' writes also match on the author, so a race cannot slip past.
 */
const isReviewAuthor = rule({ cache: "strict" })(async (_parent, { input }: { input: { id: string } }, { viewer, loaders }: Context) => {
  const review = isUuid(input.id) ? await loaders.reviewById.load(input.id) : null;
  return !review || review.authorId === viewer?.userId || forbidden("Only the author may change or delete a review.", { reason: "NOT_AUTHOR" });
});

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny); the
 * federation fields (`_entities`, `_service`) are open because the router calls them.
 */
export const permissions: IMiddlewareGenerator<unknown, Context, unknown> = shield(
  {
    Query: { "*": deny, _entities: allow, _service: allow, review: allow },
    Mutation: { "*": deny, createReview: isAuthenticated, updateReview: and(isAuthenticated, isReviewAuthor), deleteReview: and(isAuthenticated, isReviewAuthor) },
  },
  { allowExternalErrors: true, fallbackError: () => forbidden() },
);
