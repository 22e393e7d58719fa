import { Scope } from "@commerce/auth";
import { forbidden } from "@commerce/common";
import {
  allow,
  and,
  deny,
  permissionsOf,
  requiresScopes,
  rule,
  signedIn,
  type EntityRef,
  type IRuleTypeMap,
} from "@commerce/subgraph";
import type { Context } from "./context.js";

/** True when the viewer may read this customer's orders: the customer themself or staff. */
export function canReadOrdersOf(context: Context, customerId: string): boolean {
  return context.viewer?.userId === customerId || context.viewer?.scopes.has(Scope.ORDERS_MANAGE) === true;
}

/** Row-level: the user whose orders these are, or staff. */
const isSelfOrStaff = rule({ cache: "strict" })(
  (user: EntityRef, _args, context: Context) =>
    canReadOrdersOf(context, user.id) || forbidden("Only the user themself and staff may read a user's orders."),
);

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny), so a new
 * operation is closed until someone decides who may run it; federation's own fields are open
 * (the router calls them). The coarse rules repeat the SDL's `@authenticated` / `@requiresScopes`,
 * which the router enforces first (test/permissions.test.ts keeps the two equal). Order visibility
 * is row-level, so Query.order and the Order reference resolver answer null for orders the viewer
 * may not see.
 */
export const rules: IRuleTypeMap = {
  Query: {
    "*": deny,
    _entities: allow,
    _service: allow,
    order: signedIn,
    orders: requiresScopes([[Scope.ORDERS_MANAGE]]),
  },
  Mutation: { "*": deny, placeOrder: signedIn, updateOrderStatus: requiresScopes([[Scope.ORDERS_MANAGE]]) },
  Subscription: { "*": deny, orderUpdated: signedIn, kitchenQueue: requiresScopes([[Scope.ORDERS_MANAGE]]) },
  User: { orders: and(signedIn, isSelfOrStaff) },
};

export const permissions = permissionsOf<Context>(rules);
