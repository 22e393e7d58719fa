import { allow, deny, rule, shield, type IRule } from "@commerce/subgraph";
import { forbidden, unauthenticated } from "@commerce/common";
import type { Context } from "./context.js";

/** A verified access token: anonymous callers get UNAUTHENTICATED. */
export const isSignedIn: IRule = rule({ cache: "contextual" })((_parent, _args, { viewer }: Context) => (viewer ? true : unauthenticated()));

/**
 * The accounts rules, Type → field → rule, applied with graphql-shield. Query and Mutation are deny-by-default
 * (a new root field without a rule is refused), and the federation entry points `_entities` and `_service` are
 * listed explicitly. Row-level visibility (a user's e-mail: themself or `users:read`) stays in the User resolver,
 * which answers null rather than an error. Coded resolver errors pass through; a rule's own failure is FORBIDDEN.
 */
export const permissions = shield(
  {
    Query: { "*": deny, me: allow, user: allow, _entities: allow, _service: allow },
    Mutation: {
      "*": deny,
      signUp: allow,
      logIn: allow,
      refreshAccessToken: allow,
      logOut: allow,
      addFavorite: isSignedIn,
      removeFavorite: isSignedIn,
    },
  },
  { allowExternalErrors: true, fallbackRule: allow, fallbackError: () => forbidden() },
);
