import { buildSubgraph } from "@apollo/federation-internals";
import type { DocumentNode } from "graphql";
import { isScope } from "@commerce/auth";
import { coarseRequirementOf, type AccessRequirement } from "./authorization.js";
import { allow, and, chain, deny, or, race, type IRuleFieldMap, type IRuleTypeMap, type ShieldRule } from "./shield.js";

/** What a field demands of every caller; `deny` when no caller may run it. */
type Demand = AccessRequirement | "deny";

/** A type or field of the subgraph's schema, as far as reading its directives goes. */
interface SchemaElement {
  appliedDirectivesOf(name: string): readonly { arguments(): Record<string, unknown> }[];
}

const NOTHING: AccessRequirement = { authenticated: false, scopes: [] };
/** Federation's own root fields: buildSubgraphSchema adds them, the shield map lists them. */
const FEDERATION_FIELDS: ReadonlySet<string> = new Set(["Query._entities", "Query._service"]);
const ROOT_TYPES = ["Query", "Mutation"] as const;

// graphql-shield exports its rule classes only through its builders: take each class from an instance.
const classOf = (instance: ShieldRule) => (instance as object).constructor;
const ALL = [classOf(and()), classOf(chain())];
const ANY = [classOf(or()), classOf(race())];
const isOneOf = (candidate: ShieldRule, classes: readonly unknown[]) => classes.includes(classOf(candidate));
const childrenOf = (candidate: ShieldRule): ShieldRule[] => (candidate as { getRules(): ShieldRule[] }).getRules();

/**
 * Where a subgraph's SDL and its graphql-shield map disagree about who may run a field, as readable problems
 * (none: they agree). The SDL's `@authenticated` / `@requiresScopes` are what the router enforces and the
 * supergraph shows; the shield map keeps the same coarse rules (`signedIn`, `requiresScopes`, inside `and`/`chain`
 * with row-level rules as needed) as defence in depth. It reports:
 * - a field whose coarse shield rule and SDL directives demand different things (either one missing, or other scopes);
 * - a scope in the SDL that is not one of `Scope`'s;
 * - a Query or Mutation field without a rule of its own, a `"*"` of Query or Mutation other than `deny`, and a rule
 *   for a field or type the SDL does not have;
 * - authorization directives on a type, which this check does not model.
 * Any other rule (the owner of an order, the author of a review) is row-level: it decides per object, demands
 * nothing of every caller, and is not compared.
 */
export function authorizationMismatches(typeDefs: DocumentNode, rules: IRuleTypeMap): string[] {
  const subgraph = buildSubgraph("subgraph", "http://subgraph", typeDefs);
  const metadata = subgraph.metadata();
  const problems: string[] = [];
  // The names the SDL gives the directives (`@authenticated`, or `@federation__authenticated` when not imported).
  const [authenticatedName, requiresScopesName] = ["authenticated", "requiresScopes"].map((name) =>
    metadata.federationDirectiveNameInSchema(name),
  );
  const sdlDemand = (element: SchemaElement): AccessRequirement | undefined => {
    const authenticated = element.appliedDirectivesOf(authenticatedName ?? "");
    const requiresScopes = element.appliedDirectivesOf(requiresScopesName ?? "");
    if (authenticated.length === 0 && requiresScopes.length === 0) return undefined;
    // Several @requiresScopes on one element must all hold.
    const scopeLists = requiresScopes.map((applied) => (applied.arguments() as { scopes: string[][] }).scopes);
    return normalized({
      authenticated: true,
      scopes: scopeLists.reduce<readonly (readonly string[])[]>(conjunction, []) as AccessRequirement["scopes"],
    });
  };

  for (const type of subgraph.schema.types()) {
    if (type.isBuiltIn || type.name.startsWith("_") || type.name.includes("__")) continue;
    if (sdlDemand(type))
      problems.push(
        `${type.name}: @authenticated or @requiresScopes on a type is not checked against the shield; put it on its fields`,
      );
    if (type.kind !== "ObjectType" && type.kind !== "InterfaceType") continue;
    const typeRules = rules[type.name];
    if (typeRules !== undefined && !isFieldMap(typeRules)) {
      problems.push(`${type.name}: the shield has one rule for the whole type; give each field its rule`);
      continue;
    }
    const isRoot = (ROOT_TYPES as readonly string[]).includes(type.name);
    if (isRoot && typeRules?.["*"] !== deny)
      problems.push(`${type.name}: "*" must be deny, so a new root field is closed until it gets a rule`);
    for (const field of type.fields()) {
      if (field.name.startsWith("_")) continue;
      const coordinate = `${type.name}.${field.name}`;
      const declared = sdlDemand(field);
      for (const scope of new Set(declared?.scopes.flat())) {
        if (!isScope(scope))
          problems.push(`${coordinate}: @requiresScopes names "${scope}", which is not a Scope of @commerce/auth`);
      }
      const own = typeRules?.[field.name];
      if (isRoot && own === undefined) {
        problems.push(
          `${coordinate}: no shield rule (Query and Mutation deny it to everyone); give it one, \`allow\` when it is public`,
        );
        continue;
      }
      const shielded = demandOf(own ?? typeRules?.["*"] ?? allow);
      if (shielded === "deny") continue;
      const sdl = declared ?? NOTHING;
      if (!sameDemand(sdl, shielded))
        problems.push(`${coordinate}: the SDL says ${describe(sdl)} but the shield rule demands ${describe(shielded)}`);
    }
  }

  for (const [typeName, typeRules] of Object.entries(rules)) {
    const type = subgraph.schema.type(typeName);
    if (!type) {
      problems.push(`${typeName}: the shield has rules for a type the SDL does not define`);
      continue;
    }
    if (!isFieldMap(typeRules) || (type.kind !== "ObjectType" && type.kind !== "InterfaceType")) continue;
    for (const fieldName of Object.keys(typeRules)) {
      if (fieldName === "*" || FEDERATION_FIELDS.has(`${typeName}.${fieldName}`) || type.field(fieldName)) continue;
      problems.push(`${typeName}.${fieldName}: the shield has a rule for a field the SDL does not define`);
    }
  }
  return problems;
}

function isFieldMap(value: ShieldRule | IRuleFieldMap): value is IRuleFieldMap {
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** What a shield rule demands of every caller, whatever the row: a row-level rule demands nothing. */
function demandOf(candidate: ShieldRule): Demand {
  if (candidate === deny) return "deny";
  const coarse = coarseRequirementOf(candidate);
  if (coarse) return normalized(coarse);
  if (isOneOf(candidate, ALL)) {
    const demands = childrenOf(candidate).map(demandOf);
    if (demands.includes("deny")) return "deny";
    return normalized(
      (demands as AccessRequirement[]).reduce(
        (a, b) => ({ authenticated: a.authenticated || b.authenticated, scopes: conjunction(a.scopes, b.scopes) }),
        NOTHING,
      ),
    );
  }
  if (isOneOf(candidate, ANY)) {
    const demands = childrenOf(candidate)
      .map(demandOf)
      .filter((d): d is AccessRequirement => d !== "deny");
    if (demands.length === 0) return "deny";
    // A caller passes when any one passes: signed in only if every branch needs it; scopes only if every branch names some.
    const scoped = demands.every((d) => d.scopes.length > 0);
    return normalized({
      authenticated: demands.every((d) => d.authenticated),
      scopes: scoped ? demands.flatMap((d) => d.scopes) : [],
    });
  }
  // Any other rule (a custom rule, not()) is row-level.
  return NOTHING;
}

/** (a or b) and (c) → a and c, or b and c; an empty side demands no scope. */
function conjunction<T extends string>(
  left: readonly (readonly T[])[],
  right: readonly (readonly T[])[],
): (readonly T[])[] {
  if (left.length === 0) return [...right];
  if (right.length === 0) return [...left];
  return left.flatMap((l) => right.map((r) => [...new Set([...l, ...r])]));
}

/** One spelling per demand: scopes imply signed in; each list sorted; lists that contain another list dropped. */
function normalized(requirement: AccessRequirement): AccessRequirement {
  const lists = requirement.scopes.map((list) => [...new Set(list)].sort());
  const minimal = lists.filter(
    (list, i) =>
      !lists.some(
        (other, j) => j !== i && other.every((s) => list.includes(s)) && (other.length < list.length || j < i),
      ),
  );
  const scopes = minimal.sort((a, b) => a.join(" ").localeCompare(b.join(" ")));
  return { authenticated: requirement.authenticated || scopes.length > 0, scopes };
}

function sameDemand(a: AccessRequirement, b: AccessRequirement): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

function describe(requirement: AccessRequirement): string {
  if (requirement.scopes.length > 0) return `@requiresScopes(scopes: ${JSON.stringify(requirement.scopes)})`;
  return requirement.authenticated ? "@authenticated" : "nothing (public)";
}
