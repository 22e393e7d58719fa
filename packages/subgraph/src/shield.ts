import { createRequire } from "node:module";
import util from "node:util";
import type * as GraphqlMiddlewareModule from "graphql-middleware";
import type * as GraphqlShieldModule from "graphql-shield";

/**
 * graphql-shield's rule builders, for each subgraph's permissions.ts. Version 7.6.5, its last release, imports
 * `isUndefined` from node:util, which Node 23 removed: its ES module build then fails to load at all. Its CommonJS
 * build reads the function from the util object when a `chain` or `race` rule runs, so it is restored there (as
 * the one-line check it always was) and that build is loaded instead, with the CommonJS build of graphql-middleware
 * next to it: applyMiddleware tells a shield by `instanceof`, which fails across the two builds.
 */
const utilWithIsUndefined = util as typeof util & { isUndefined?: (value: unknown) => boolean };
utilWithIsUndefined.isUndefined ??= (value: unknown) => value === undefined;

type GraphqlShield = typeof GraphqlShieldModule;
type GraphqlMiddleware = typeof GraphqlMiddlewareModule;
const require = createRequire(import.meta.url);
const graphqlShield = require("graphql-shield") as GraphqlShield;

const graphqlMiddleware = require("graphql-middleware") as GraphqlMiddleware;
export const applyMiddleware: GraphqlMiddleware["applyMiddleware"] = graphqlMiddleware.applyMiddleware;

type RuleTree = Parameters<GraphqlShield["shield"]>[0];
type Rule = Extract<RuleTree, { resolve: unknown }>;
type FieldMiddlewareMap = Record<string, Record<string, unknown>>;

function isRule(value: unknown): value is Rule {
  return typeof (value as { resolve?: unknown } | null)?.resolve === "function";
}

/** The rule shield applies to `type.field`: the field's own, else the type's `*` (or the type's rule), else the fallback. */
function ruleOf(tree: RuleTree, type: string, field: string, fallback: Rule): Rule {
  if (isRule(tree)) return tree;
  const typeRules = tree[type];
  if (typeRules === undefined) return fallback;
  if (isRule(typeRules)) return typeRules;
  return typeRules[field] ?? typeRules["*"] ?? fallback;
}

/**
 * graphql-shield over the fields that have a rule to check. Shield wraps every field of the schema, the ones that
 * fall back to `allow` included, in an async middleware that awaits the rule and then the resolver: on a subgraph
 * answering a list of entities that is a few promises for every field of every item, where the data is already
 * there. A field whose rule is `allow` behaves the same without the wrapper when resolver errors pass through
 * (`allowExternalErrors` or `debug`: shield then hands the resolver's error to graphql-js as it is), so those fields
 * are left out; with shield's default of replacing resolver errors by `fallbackError`, every field stays wrapped.
 * Same arguments, rules, validation and errors as graphql-shield's `shield`.
 */
export const shield: GraphqlShield["shield"] = (ruleTree, options = {}) => {
  const generator = graphqlShield.shield(ruleTree, options);
  if (!options.allowExternalErrors && !options.debug) return generator;
  const fallback = options.fallbackRule ?? graphqlShield.allow;
  return graphqlMiddleware.middleware((schema) => {
    const generated = generator.generate(schema) as FieldMiddlewareMap;
    const checked: FieldMiddlewareMap = {};
    for (const [type, fields] of Object.entries(generated)) {
      for (const [field, middleware] of Object.entries(fields)) {
        if (ruleOf(ruleTree, type, field, fallback) !== graphqlShield.allow) (checked[type] ??= {})[field] = middleware;
      }
    }
    return checked as ReturnType<typeof generator.generate>;
  });
};
export const rule: GraphqlShield["rule"] = graphqlShield.rule;
export const inputRule: GraphqlShield["inputRule"] = graphqlShield.inputRule;
export const allow: GraphqlShield["allow"] = graphqlShield.allow;
export const deny: GraphqlShield["deny"] = graphqlShield.deny;
export const and: GraphqlShield["and"] = graphqlShield.and;
export const or: GraphqlShield["or"] = graphqlShield.or;
export const not: GraphqlShield["not"] = graphqlShield.not;
export const chain: GraphqlShield["chain"] = graphqlShield.chain;
export const race: GraphqlShield["race"] = graphqlShield.race;
export type { IRule, IRules } from "graphql-shield";
/** A rule or a logic rule (`and`, `or`, `allow`, …): what a shield map holds (graphql-shield does not export the name). */
export type ShieldRule = GraphqlShieldModule.IRule | ReturnType<GraphqlShield["and"]>;
/** Field → rule. */
export type IRuleFieldMap = Record<string, ShieldRule>;
/** Type → field → rule (or one rule for the whole type). */
export type IRuleTypeMap = Record<string, ShieldRule | IRuleFieldMap>;
