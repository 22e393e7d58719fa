import { describe, expect, it } from "vitest";
import { graphql, parse } from "graphql";
import { Scope, type Viewer } from "@commerce/auth";
import {
  allow,
  and,
  authorizationMismatches,
  buildSchema,
  deny,
  or,
  permissionsOf,
  requiresScopes,
  rule,
  signedIn,
  type IRuleTypeMap,
} from "../src/index.js";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])`;

const SDL = parse(`${LINK}
type Query {
  shop: String
  queue: [String!]! @requiresScopes(scopes: [["orders:manage"]])
}
type Mutation {
  checkOut: Boolean! @authenticated
  restock: Boolean! @requiresScopes(scopes: [["catalog:write"]])
}
type User @key(fields: "id") {
  id: ID!
  email: String @requiresScopes(scopes: [["profile"], ["users:read"]])
  orders: [String!] @authenticated
  name: String
}`);

/** A row-level rule: the viewer is the user. */
const isSelf = rule({ cache: "strict" })(
  (user: { id: string }, _args, { viewer }: { viewer: Viewer | null }) => viewer?.userId === user.id,
);

const AGREEING: IRuleTypeMap = {
  Query: { "*": deny, _entities: allow, _service: allow, shop: allow, queue: requiresScopes([[Scope.ORDERS_MANAGE]]) },
  Mutation: { "*": deny, checkOut: signedIn, restock: requiresScopes([[Scope.CATALOG_WRITE]]) },
  User: {
    email: or(requiresScopes([[Scope.USERS_READ]]), requiresScopes([[Scope.PROFILE]])),
    orders: and(signedIn, or(isSelf, requiresScopes([[Scope.ORDERS_MANAGE]]))),
  },
};

/** The map with one entry replaced. */
function withRule(type: string, field: string, replacement: IRuleTypeMap[string] | undefined): IRuleTypeMap {
  const fields = { ...(AGREEING[type] as Record<string, never>) } as Record<string, unknown>;
  if (replacement === undefined) delete fields[field];
  else fields[field] = replacement;
  return { ...AGREEING, [type]: fields } as IRuleTypeMap;
}

describe("authorizationMismatches", () => {
  it("finds nothing when every coarse rule and directive agree (row-level rules inside and/or are not compared)", () => {
    expect(authorizationMismatches(SDL, AGREEING)).toEqual([]);
  });

  it("reports a directive the shield does not enforce", () => {
    expect(authorizationMismatches(SDL, withRule("User", "orders", isSelf))).toEqual([
      "User.orders: the SDL says @authenticated but the shield rule demands nothing (public)",
    ]);
    expect(authorizationMismatches(SDL, withRule("User", "email", undefined))).toEqual([
      'User.email: the SDL says @requiresScopes(scopes: [["profile"],["users:read"]]) but the shield rule demands nothing (public)',
    ]);
  });

  it("reports a coarse shield rule the SDL does not declare, so the router and the supergraph would not see it", () => {
    expect(authorizationMismatches(SDL, withRule("User", "name", signedIn))).toEqual([
      "User.name: the SDL says nothing (public) but the shield rule demands @authenticated",
    ]);
    expect(authorizationMismatches(SDL, withRule("Query", "shop", requiresScopes([[Scope.PROFILE]])))).toEqual([
      'Query.shop: the SDL says nothing (public) but the shield rule demands @requiresScopes(scopes: [["profile"]])',
    ]);
  });

  it("reports other scopes, and signed in where the SDL wants a scope", () => {
    expect(
      authorizationMismatches(SDL, withRule("Mutation", "restock", requiresScopes([[Scope.ORDERS_MANAGE]]))),
    ).toEqual([
      'Mutation.restock: the SDL says @requiresScopes(scopes: [["catalog:write"]]) but the shield rule demands @requiresScopes(scopes: [["orders:manage"]])',
    ]);
    expect(authorizationMismatches(SDL, withRule("Query", "queue", signedIn))).toEqual([
      'Query.queue: the SDL says @requiresScopes(scopes: [["orders:manage"]]) but the shield rule demands @authenticated',
    ]);
    // One of two scopes is not the same as both.
    expect(
      authorizationMismatches(SDL, withRule("User", "email", requiresScopes([[Scope.PROFILE, Scope.USERS_READ]]))),
    ).toHaveLength(1);
  });

  it("catches a new root field nobody decided about, and a root map that is not deny-by-default", () => {
    const added = parse(
      `${LINK}\ntype Query { shop: String }\ntype Mutation { checkOut: Boolean! @authenticated\nrefund: Boolean!\nrestock: Boolean! @requiresScopes(scopes: [["catalog:write"]]) }`,
    );
    const rules = {
      Query: { "*": deny, shop: allow },
      Mutation: { "*": deny, checkOut: signedIn, restock: requiresScopes([[Scope.CATALOG_WRITE]]) },
    };
    expect(authorizationMismatches(added, rules)).toEqual([
      "Mutation.refund: no shield rule (Query and Mutation deny it to everyone); give it one, `allow` when it is public",
    ]);
    expect(authorizationMismatches(added, { ...rules, Mutation: { ...rules.Mutation, "*": allow } })).toEqual([
      'Mutation: "*" must be deny, so a new root field is closed until it gets a rule',
      "Mutation.refund: no shield rule (Query and Mutation deny it to everyone); give it one, `allow` when it is public",
    ]);
  });

  it("reports scopes that are not the graph's, and rules for fields or types the SDL lacks", () => {
    const typo = parse(
      `${LINK}\ntype Query { shop: String }\ntype Mutation { restock: Boolean! @requiresScopes(scopes: [["catalog:writes"]]) }`,
    );
    const rules = {
      Query: { "*": deny, shop: allow, gone: allow },
      Mutation: { "*": deny, restock: requiresScopes([[Scope.CATALOG_WRITE]]) },
      Ghost: { id: allow },
    };
    expect(authorizationMismatches(typo, rules)).toEqual([
      'Mutation.restock: @requiresScopes names "catalog:writes", which is not a Scope of @commerce/auth',
      'Mutation.restock: the SDL says @requiresScopes(scopes: [["catalog:writes"]]) but the shield rule demands @requiresScopes(scopes: [["catalog:write"]])',
      "Query.gone: the shield has a rule for a field the SDL does not define",
      "Ghost: the shield has rules for a type the SDL does not define",
    ]);
  });

  it("reads the directives under federation's default names when they are not imported, and refuses them on types", () => {
    const unimported = parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
      type Query { me: String @federation__authenticated }
      type Secret @federation__authenticated { id: ID! }`);
    expect(authorizationMismatches(unimported, { Query: { "*": deny, me: allow } })).toEqual([
      "Query.me: the SDL says @authenticated but the shield rule demands nothing (public)",
      "Secret: @authenticated or @requiresScopes on a type is not checked against the shield; put it on its fields",
    ]);
  });
});

describe("signedIn and requiresScopes", () => {
  const schema = buildSchema({
    typeDefs: parse(
      `${LINK}\ntype Query { me: String @authenticated\nqueue: String @requiresScopes(scopes: [["orders:manage"]])\nemail: String @requiresScopes(scopes: [["profile"], ["users:read"]]) }`,
    ),
    resolvers: { Query: { me: () => "me", queue: () => "queue", email: () => "email" } },
    permissions: permissionsOf({
      Query: {
        "*": deny,
        me: signedIn,
        queue: requiresScopes([[Scope.ORDERS_MANAGE]]),
        email: requiresScopes([[Scope.PROFILE], [Scope.USERS_READ]]),
      },
    }),
  });
  const run = async (field: string, scopes?: Scope[]) => {
    const viewer: Viewer | null = scopes ? { userId: "u1", scopes: new Set(scopes) } : null;
    const result = await graphql({ schema, source: `{ ${field} }`, contextValue: { viewer } });
    return { data: result.data?.[field], error: result.errors?.[0]?.extensions };
  };

  it("answers anonymous callers UNAUTHENTICATED", async () => {
    for (const field of ["me", "queue", "email"]) expect((await run(field)).error).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("answers signed-in callers without the scope FORBIDDEN, naming the scope needed", async () => {
    expect(await run("me", [])).toEqual({ data: "me", error: undefined });
    expect((await run("queue", [Scope.PROFILE])).error).toEqual({ code: "FORBIDDEN", requiredScope: "orders:manage" });
    expect((await run("email", [Scope.FAVORITES])).error).toEqual({
      code: "FORBIDDEN",
      requiredScopes: [["profile"], ["users:read"]],
    });
  });

  it("lets callers with the scope (any one of the lists) through", async () => {
    expect(await run("queue", [Scope.ORDERS_MANAGE])).toEqual({ data: "queue", error: undefined });
    expect(await run("email", [Scope.USERS_READ])).toEqual({ data: "email", error: undefined });
    expect(await run("email", [Scope.PROFILE])).toEqual({ data: "email", error: undefined });
  });

  it("gives one rule per scope argument, so shield maps can name the same demand twice", () => {
    expect(requiresScopes([[Scope.ORDERS_MANAGE]])).toBe(requiresScopes([[Scope.ORDERS_MANAGE]]));
  });
});
