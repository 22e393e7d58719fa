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

export const applyMiddleware: GraphqlMiddleware["applyMiddleware"] = (require("graphql-middleware") as GraphqlMiddleware).applyMiddleware;

export const shield: GraphqlShield["shield"] = graphqlShield.shield;
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
