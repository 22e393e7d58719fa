import { forbidden, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";

/** The scope staff tokens carry to change the catalog. */
export const CATALOG_WRITE_SCOPE = "catalog:write";

/** Throws a coded error when the caller may not run the field. */
export type Rule = (context: Context) => void;

/** Signed in with the `catalog:write` scope: anonymous → UNAUTHENTICATED, no scope → FORBIDDEN. */
export const isStaff: Rule = ({ viewer }) => {
  if (!viewer) throw unauthenticated();
  if (!viewer.scopes.has(CATALOG_WRITE_SCOPE)) {
    throw forbidden("Changing the catalog needs the catalog:write scope.", { requiredScope: CATALOG_WRITE_SCOPE });
  }
};

/**
 * Type → field → rule. Types listed here are deny-by-default: a resolver of a listed
 * type without a rule is a startup error. Types not listed (Query, entities) are public reads.
 */
export const permissions: Readonly<Record<string, Readonly<Record<string, Rule>>>> = {
  Mutation: { createProduct: isStaff, updateProduct: isStaff },
};

type FieldResolver = (parent: unknown, args: unknown, context: Context, info: unknown) => unknown;

/** Wraps the resolvers of every type in `map` so each field's rule runs before it. */
export function applyPermissions<R extends object>(resolvers: R, map: typeof permissions = permissions): R {
  const guarded: Record<string, unknown> = { ...(resolvers as Record<string, unknown>) };
  for (const [typeName, rules] of Object.entries(map)) {
    const fields = (resolvers as Record<string, Record<string, unknown> | undefined>)[typeName];
    if (!fields) continue;
    const wrapped: Record<string, FieldResolver> = {};
    for (const [field, resolver] of Object.entries(fields)) {
      const rule = rules[field];
      if (!rule) throw new Error(`permissions: no rule for ${typeName}.${field}`);
      if (typeof resolver !== "function") throw new Error(`permissions: ${typeName}.${field} must be a plain resolver function`);
      const resolve = resolver as FieldResolver;
      wrapped[field] = (parent, args, context, info) => {
        rule(context);
        return resolve(parent, args, context, info);
      };
    }
    guarded[typeName] = wrapped;
  }
  return guarded as R;
}
