import { allow, deny, rule, shield, type IRule } from "@commerce/subgraph";
import { forbidden, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";

/** The scope staff tokens carry to change the catalog. */
export const CATALOG_WRITE_SCOPE = "catalog:write";

/** Signed in with the `catalog:write` scope: anonymous → UNAUTHENTICATED, no scope → FORBIDDEN. */
export const isStaff: IRule = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) => {
  if (!viewer) return unauthenticated();
  if (!viewer.scopes.has(CATALOG_WRITE_SCOPE)) {
    return forbidden("Changing the catalog needs the catalog:write scope.", { requiredScope: CATALOG_WRITE_SCOPE });
  }
  return true;
});

/**
 * The catalog's rules, Type → field → rule, applied with graphql-shield. Query and Mutation are deny-by-default
 * (a new root field without a rule is refused), and the federation entry points `_entities` and `_service` are
 * listed explicitly: the router calls them on everyone's behalf. Other types' fields are public reads. Coded
 * resolver errors pass through (`allowExternalErrors`); a rule's own failure is our FORBIDDEN.
 */
export const permissions = shield(
  {
    Query: { "*": deny, products: allow, product: allow, category: allow, categories: allow, _entities: allow, _service: allow },
    Mutation: { "*": deny, createProduct: isStaff, updateProduct: isStaff },
  },
  { allowExternalErrors: true, fallbackRule: allow, fallbackError: () => forbidden() },
);
