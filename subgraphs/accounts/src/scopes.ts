import { Scope } from "@commerce/auth";
import type { Role } from "@commerce/db";

/** The access-token scopes each role grants; a user's scopes are the union over their roles. */
export const SCOPES_BY_ROLE: Readonly<Record<Role, readonly Scope[]>> = Object.freeze({
  CUSTOMER: [Scope.PROFILE, Scope.FAVORITES],
  STAFF: [Scope.PROFILE, Scope.FAVORITES, Scope.ORDERS_MANAGE, Scope.CATALOG_WRITE],
  ADMIN: [Scope.PROFILE, Scope.FAVORITES, Scope.ORDERS_MANAGE, Scope.CATALOG_WRITE, Scope.USERS_READ],
});

/** The scopes for a set of roles, without duplicates, in a stable order. */
export function scopesForRoles(roles: readonly Role[]): Scope[] {
  const scopes = new Set<Scope>();
  for (const role of roles) for (const scope of SCOPES_BY_ROLE[role]) scopes.add(scope);
  return [...scopes];
}
