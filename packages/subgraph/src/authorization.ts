import type { IMiddlewareGenerator } from "graphql-middleware";
import type { Scope, Viewer } from "@commerce/auth";
import { forbidden, unauthenticated } from "@commerce/common";
import { allow, rule, shield, type IRule, type IRules, type ShieldRule } from "./shield.js";

/**
 * What a coarse rule demands of every caller, in the shape of the SDL directives: `@authenticated` is
 * `{ authenticated: true, scopes: [] }`; `@requiresScopes(scopes: [["a", "b"], ["c"]])` is signed in with a and b, or c.
 */
export interface AccessRequirement {
  authenticated: boolean;
  scopes: readonly (readonly Scope[])[];
}

/** The coarse rules of this module, with what each demands (the SDL check reads it). */
const requirements = new WeakMap<IRule, AccessRequirement>();

/** The context coarse rules read: the verified viewer, null when anonymous. */
interface ViewerContext {
  viewer: Viewer | null;
}

/** Signed in (any verified access token), as the SDL's `@authenticated`: anonymous callers get UNAUTHENTICATED. */
export const signedIn: IRule = rule({ cache: "contextual" })(
  (_parent, _args, { viewer }: ViewerContext) => viewer !== null || unauthenticated(),
);
requirements.set(signedIn, { authenticated: true, scopes: [] });

const scopeRules = new Map<string, IRule>();

/**
 * Signed in with every scope of at least one inner list, as the SDL's `@requiresScopes(scopes:)` with the same
 * argument: anonymous callers get UNAUTHENTICATED, others without the scopes FORBIDDEN with the scope needed
 * (`requiredScope`, or `requiredScopes` when there is a choice). One rule per distinct argument.
 */
export function requiresScopes(scopes: readonly (readonly Scope[])[]): IRule {
  const key = JSON.stringify(scopes);
  const known = scopeRules.get(key);
  if (known) return known;
  const [only, ...others] = scopes.flat();
  const details = others.length === 0 && only !== undefined ? { requiredScope: only } : { requiredScopes: scopes };
  const wanted = scopes.map((all) => all.join(" and ")).join(", or ");
  const created = rule({ cache: "contextual" })((_parent, _args, { viewer }: ViewerContext) => {
    if (!viewer) return unauthenticated();
    return (
      scopes.some((all) => all.every((scope) => viewer.scopes.has(scope))) ||
      forbidden(`This needs the ${wanted} scope.`, details)
    );
  });
  requirements.set(created, { authenticated: true, scopes });
  scopeRules.set(key, created);
  return created;
}

/** What `signedIn` or a `requiresScopes` rule demands; undefined for any other rule. */
export function coarseRequirementOf(candidate: ShieldRule): AccessRequirement | undefined {
  return requirements.get(candidate as IRule);
}

/**
 * A subgraph's graphql-shield middleware from its Type → field → rule map. Query and Mutation should map `"*"` to
 * `deny`, so a new root field is closed until someone decides who may run it (`authorizationMismatches` checks
 * it); other fields without a rule are open. Coded resolver errors pass through; a rule that only says no is
 * FORBIDDEN.
 */
export function permissionsOf<TContext>(rules: IRules): IMiddlewareGenerator<unknown, TContext, unknown> {
  return shield(rules, {
    allowExternalErrors: true,
    fallbackRule: allow,
    fallbackError: () => forbidden(),
  }) as IMiddlewareGenerator<unknown, TContext, unknown>;
}
