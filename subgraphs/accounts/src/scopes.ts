import type { Role } from "@commerce/db";

/** The access-token scopes each role grants; a user's scopes are the union over their roles. */
export const SCOPES_BY_ROLE: Readonly<Record<Role, readonly string[]>> = Object.freeze({
  CUSTOMER: ["profile", "favorites"],
  STAFF: ["profile", "favorites", "orders:manage", "catalog:write"],
  ADMIN: ["profile", "favorites", "orders:manage", "catalog:write", "users:read"],
});

/** Lets a viewer read every user's e-mail address. */
export const USERS_READ_SCOPE = "users:read";

/** The scopes for a set of roles, without duplicates, in a stable order. */
export function scopesForRoles(roles: readonly Role[]): string[] {
  const scopes = new Set<string>();
  for (const role of roles) for (const scope of SCOPES_BY_ROLE[role]) scopes.add(scope);
  return [...scopes];
}
