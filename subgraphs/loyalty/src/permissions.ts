import { Scope } from "@commerce/auth";
import { forbidden } from "@commerce/common";
import { allow, and, deny, permissionsOf, rule, signedIn, type EntityRef, type IRuleTypeMap } from "@commerce/subgraph";
import type { Context } from "./context.js";

/** Row-level: the member themself, or staff (`orders:manage`: they answer members' questions about points). */
const isSelfOrStaff = rule({ cache: "strict" })(
  (user: EntityRef, _args, { viewer }: Context) =>
    viewer?.userId === user.id ||
    viewer?.scopes.has(Scope.ORDERS_MANAGE) === true ||
    forbidden("Only the member themself and staff may read loyalty points."),
);

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny);
 * federation's own fields are open (the router calls them). The coarse rules repeat the SDL's
 * `@authenticated`, which the router enforces first (test/permissions.test.ts keeps the two equal).
 * `Order.pointsEarned` is open: the router only reaches an Order through orders, which decides who sees it.
 */
export const rules: IRuleTypeMap = {
  Query: { "*": deny, _entities: allow, _service: allow, rewards: allow },
  Mutation: { "*": deny, redeemReward: signedIn },
  User: { loyalty: and(signedIn, isSelfOrStaff) },
};

export const permissions = permissionsOf<Context>(rules);
