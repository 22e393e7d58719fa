import { allow, and, deny, rule, shield } from "@commerce/subgraph";
import type { IMiddlewareGenerator } from "graphql-middleware";
import { forbidden, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";
import type { UserRef } from "./models.js";

/** Staff may look at any member's points (to answer their questions). */
export const STAFF_SCOPE = "orders:manage";

const isAuthenticated = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) => viewer !== null || unauthenticated());

const isSelfOrStaff = rule({ cache: "strict" })(
  (user: UserRef, _args, { viewer }: Context) =>
    viewer?.userId === user.id || viewer?.scopes.has(STAFF_SCOPE) === true || forbidden("Only the member themself and staff may read loyalty points."),
);

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny);
 * federation's own fields are open (the router calls them). `Order.pointsEarned` is open: the
 * router only reaches an Order through orders, which decides who sees it.
 */
export const permissions: IMiddlewareGenerator<unknown, Context, unknown> = shield(
  {
    Query: { "*": deny, _entities: allow, _service: allow, rewards: allow },
    Mutation: { "*": deny, redeemReward: isAuthenticated },
    User: { loyalty: and(isAuthenticated, isSelfOrStaff) },
  },
  { allowExternalErrors: true, fallbackError: () => forbidden() },
);
