import { Scope } from "@commerce/auth";
import { allow, deny, permissionsOf, requiresScopes, type IRuleTypeMap } from "@commerce/subgraph";
import type { Context } from "./context.js";

/**
 * The catalog's rules, Type → field → rule. Query and Mutation are deny-by-default (a new root field without a rule
 * is refused), and the federation entry points `_entities` and `_service` are listed explicitly: the router calls
 * them on everyone's behalf. Other types' fields are public reads. The rules repeat the SDL's `@requiresScopes`,
 * which the router enforces first (test/permissions.test.ts keeps the two equal).
 */
export const rules: IRuleTypeMap = {
  Query: {
    "*": deny,
    products: allow,
    product: allow,
    category: allow,
    categories: allow,
    _entities: allow,
    _service: allow,
  },
  Mutation: {
    "*": deny,
    createProduct: requiresScopes([[Scope.CATALOG_WRITE]]),
    updateProduct: requiresScopes([[Scope.CATALOG_WRITE]]),
  },
};

export const permissions = permissionsOf<Context>(rules);
