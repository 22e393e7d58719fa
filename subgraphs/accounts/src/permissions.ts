import { Scope } from "@commerce/auth";
import { allow, deny, permissionsOf, requiresScopes, signedIn, type IRuleTypeMap } from "@commerce/subgraph";
import type { Context } from "./context.js";

/**
 * The accounts rules, Type → field → rule. Query and Mutation are deny-by-default (a new root field without a rule
 * is refused), and the federation entry points `_entities` and `_service` are listed explicitly. The coarse rules
 * repeat the SDL's `@authenticated` / `@requiresScopes`, which the router enforces first (test/permissions.test.ts
 * keeps the two equal). Row-level visibility (a user's e-mail: themself, or `users:read`) stays in the User
 * resolver, which answers null rather than an error.
 */
export const rules: IRuleTypeMap = {
  Query: { "*": deny, me: signedIn, user: allow, _entities: allow, _service: allow },
  Mutation: {
    "*": deny,
    signUp: allow,
    logIn: allow,
    refreshAccessToken: allow,
    logOut: allow,
    addFavorite: signedIn,
    removeFavorite: signedIn,
  },
  User: { email: requiresScopes([[Scope.PROFILE], [Scope.USERS_READ]]) },
};

export const permissions = permissionsOf<Context>(rules);
