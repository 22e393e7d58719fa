/**
 * Every scope an access token can carry. The issuer (accounts) grants them by role, each subgraph's SDL names them
 * in `@requiresScopes` (which the router enforces) and its graphql-shield rules check them: one spelling everywhere.
 */
export const Scope = {
  /** One's own account details (every signed-in user has it). */
  PROFILE: "profile",
  /** One's own favourites (every signed-in user has it). */
  FAVORITES: "favorites",
  /** Every order: the kitchen queue, moving orders, reading any customer's orders and points. */
  ORDERS_MANAGE: "orders:manage",
  /** Creating and changing products. */
  CATALOG_WRITE: "catalog:write",
  /** Every user's account details (e-mail addresses). */
  USERS_READ: "users:read",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

const SCOPES: ReadonlySet<string> = new Set(Object.values(Scope));

/** True when `value` is one of the graph's scopes. */
export function isScope(value: string): value is Scope {
  return SCOPES.has(value);
}
