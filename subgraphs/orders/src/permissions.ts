import { allow, and, deny, rule, shield } from "@commerce/subgraph";
import type { IMiddlewareGenerator } from "graphql-middleware";
import { forbidden, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";
import type { UserRef } from "./pagination.js";

/** The scope staff tokens carry to see every order and move orders through the kitchen. */
export const ORDERS_MANAGE_SCOPE = "orders:manage";

/** True when the viewer may read this customer's orders: the customer themself or staff. */
export function canReadOrdersOf(context: Context, customerId: string): boolean {
  return context.viewer?.userId === customerId || context.viewer?.scopes.has(ORDERS_MANAGE_SCOPE) === true;
}

const isAuthenticated = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) => viewer !== null || unauthenticated());

const isStaff = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) =>
  viewer?.scopes.has(ORDERS_MANAGE_SCOPE) === true || forbidden("This needs the orders:manage scope.", { requiredScope: ORDERS_MANAGE_SCOPE }),
);

const isSelfOrStaff = rule({ cache: "strict" })((user: UserRef, _args, context: Context) =>
  canReadOrdersOf(context, user.id) || forbidden("Only the user themself and staff may read a user's orders."),
);

/**
 * Type → field → rule. Query and Mutation deny any field without a rule ("*": deny), so a new
 * operation is closed until someone decides who may run it; federation's own fields are open
 * (the router calls them). Order visibility is row-level, so Query.order and the Order
 * reference resolver answer null for orders the viewer may not see.
 */
export const permissions: IMiddlewareGenerator<unknown, Context, unknown> = shield(
  {
    Query: { "*": deny, _entities: allow, _service: allow, order: isAuthenticated, orders: and(isAuthenticated, isStaff) },
    Mutation: { "*": deny, placeOrder: isAuthenticated, updateOrderStatus: and(isAuthenticated, isStaff) },
    User: { orders: and(isAuthenticated, isSelfOrStaff) },
  },
  { allowExternalErrors: true, fallbackError: () => forbidden() },
);
