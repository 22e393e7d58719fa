import { Kind, parse, print, visit, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from "graphql";
import { directiveNames, readLinks, SPECS, type Link } from "./links.js";

/** What a field or type demands of the caller. Several requirements on one coordinate must all hold. */
export interface AccessRequirement {
  /** `@authenticated`: any verified caller. */
  authenticated: boolean;
  /** `@requiresScopes(scopes:)`: at least one inner list, all of whose scopes the caller has. Empty: no scope needed. */
  scopes: readonly (readonly string[])[];
}

/** The authorization directives of a supergraph, by `Type.field` and by type name. */
export interface AccessPolicies {
  fields: ReadonlyMap<string, AccessRequirement>;
  types: ReadonlyMap<string, AccessRequirement>;
}

/** `@listSize` of a field. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: readonly string[];
  sizedFields?: readonly string[];
  /** @default true */
  requireOneSlicingArgument: boolean;
}

/** The demand-control directives of a supergraph (or subgraph SDL). */
export interface CostDirectives {
  /** `@cost(weight:)` on fields, by `Type.field`. */
  fieldWeights: ReadonlyMap<string, number>;
  /** `@cost(weight:)` on object, scalar and enum types. */
  typeWeights: ReadonlyMap<string, number>;
  /** `@cost(weight:)` on arguments, by `Type.field(argument:)`. */
  argumentWeights: ReadonlyMap<string, number>;
  /** `@listSize` by `Type.field`. */
  listSizes: ReadonlyMap<string, ListSize>;
}

export interface SupergraphMetadata {
  access: AccessPolicies;
  cost: CostDirectives;
}

/** Specs linked `for: SECURITY` that the router enforces itself (so the gateway may treat them as plain metadata). */
const ENFORCED_SECURITY_SPECS: ReadonlySet<string> = new Set([SPECS.authenticated, SPECS.requiresScopes]);
/** Security specs the gateway executes itself (left as they are). */
const GATEWAY_SECURITY_SPECS: ReadonlySet<string> = new Set([SPECS.inaccessible]);

/** The gateway refuses this supergraph: it links a security spec the router does not enforce either. */
export class UnenforceableSupergraphError extends Error {
  constructor(readonly urls: readonly string[]) {
    super(
      `The supergraph links ${urls.join(", ")} for SECURITY; the router cannot enforce it, so it refuses the supergraph.`,
    );
    this.name = "UnenforceableSupergraphError";
  }
}

/**
 * @apollo/gateway refuses any supergraph with a `for: SECURITY` link it does not execute. The router enforces
 * @authenticated and @requiresScopes itself (from the metadata read here), so it drops `for: SECURITY` from those
 * links only (@inaccessible, which the gateway executes, stays as it is); any other security spec (e.g. @policy)
 * makes the supergraph unusable rather than silently unenforced.
 */
export function prepareSupergraph(sdl: string): { sdl: string; metadata: SupergraphMetadata } {
  const document = parse(sdl);
  const links = readLinks(document);
  const security = links.filter((l) => l.purpose === "SECURITY" && !GATEWAY_SECURITY_SPECS.has(l.identity));
  const unenforced = security.filter((l) => !ENFORCED_SECURITY_SPECS.has(l.identity));
  if (unenforced.length > 0) throw new UnenforceableSupergraphError(unenforced.map((l) => l.url));
  const metadata = readSupergraphMetadata(document);
  if (security.length === 0) return { sdl, metadata };
  const rewrite = new Set<ConstDirectiveNode>(security.map((l) => l.node));
  const rewritten = visit(document, {
    Directive(node) {
      if (!rewrite.has(node as ConstDirectiveNode)) return undefined;
      return { ...node, arguments: node.arguments?.filter((a) => a.name.value !== "for") };
    },
  });
  return { sdl: print(rewritten), metadata };
}

/** Reads access policies and cost directives from a composed supergraph (or a subgraph SDL). */
export function readSupergraphMetadata(document: DocumentNode): SupergraphMetadata {
  const links = readLinks(document);
  return { access: readAccessPolicies(document, links), cost: readCostDirectives(document, links) };
}

/** Same as `readSupergraphMetadata(...).cost`, from SDL text. */
export function costDirectivesFromSdl(sdl: string): CostDirectives {
  const document = parse(sdl);
  return readCostDirectives(document, readLinks(document));
}

function readAccessPolicies(document: DocumentNode, links: readonly Link[]): AccessPolicies {
  const authenticated = directiveNames(links, SPECS.authenticated, "authenticated");
  const requiresScopes = directiveNames(links, SPECS.requiresScopes, "requiresScopes");
  const requirementOf = (directives: readonly ConstDirectiveNode[] | undefined): AccessRequirement | undefined => {
    let needsAuth = false;
    let scopes: string[][] = [];
    for (const d of directives ?? []) {
      if (authenticated.has(d.name.value)) needsAuth = true;
      if (requiresScopes.has(d.name.value)) scopes = scopes.concat(scopeSets(argument(d, "scopes")));
    }
    return needsAuth || scopes.length > 0 ? { authenticated: needsAuth || scopes.length > 0, scopes } : undefined;
  };
  const fields = new Map<string, AccessRequirement>();
  const types = new Map<string, AccessRequirement>();
  forEachTypeAndField(document, (typeName, directives, fieldName) => {
    const requirement = requirementOf(directives);
    if (!requirement) return;
    if (fieldName === undefined) types.set(typeName, requirement);
    else fields.set(`${typeName}.${fieldName}`, requirement);
  });
  return { fields, types };
}

/** `[["a", "b"], ["c"]]` → a and b, or c. */
function scopeSets(value: ConstValueNode | undefined): string[][] {
  if (value?.kind !== Kind.LIST) return [];
  return value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : [],
  );
}

function readCostDirectives(document: DocumentNode, links: readonly Link[]): CostDirectives {
  const cost = directiveNames(links, SPECS.cost, "cost");
  const listSize = directiveNames(links, SPECS.cost, "listSize");
  const fieldWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const argumentWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  forEachTypeAndField(document, (typeName, directives, fieldName, args) => {
    const coordinate = fieldName === undefined ? typeName : `${typeName}.${fieldName}`;
    for (const d of directives ?? []) {
      if (cost.has(d.name.value)) {
        const weight = intValue(argument(d, "weight"));
        if (weight !== undefined) (fieldName === undefined ? typeWeights : fieldWeights).set(coordinate, weight);
      } else if (listSize.has(d.name.value) && fieldName !== undefined) {
        const assumedSize = intValue(argument(d, "assumedSize"));
        const slicingArguments = stringList(argument(d, "slicingArguments"));
        const sizedFields = stringList(argument(d, "sizedFields"));
        const requireOne = argument(d, "requireOneSlicingArgument");
        listSizes.set(coordinate, {
          ...(assumedSize !== undefined ? { assumedSize } : {}),
          ...(slicingArguments ? { slicingArguments } : {}),
          ...(sizedFields ? { sizedFields } : {}),
          requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
        });
      }
    }
    for (const arg of args ?? []) {
      for (const d of arg.directives ?? []) {
        const weight = cost.has(d.name.value) ? intValue(argument(d, "weight")) : undefined;
        if (weight !== undefined) argumentWeights.set(`${coordinate}(${arg.name.value}:)`, weight);
      }
    }
  });
  return { fieldWeights, typeWeights, argumentWeights, listSizes };
}

type ArgumentDefinitions =
  readonly { name: { value: string }; directives?: readonly ConstDirectiveNode[] | undefined }[] | undefined;

/** Calls back for every type (fieldName undefined) and every field of object, interface and input types. */
function forEachTypeAndField(
  document: DocumentNode,
  callback: (
    typeName: string,
    directives: readonly ConstDirectiveNode[] | undefined,
    fieldName?: string,
    args?: ArgumentDefinitions,
  ) => void,
): void {
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        callback(definition.name.value, definition.directives);
        for (const field of definition.fields ?? [])
          callback(definition.name.value, field.directives, field.name.value, field.arguments);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        callback(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function intValue(value: ConstValueNode | undefined): number | undefined {
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringList(value: ConstValueNode | undefined): string[] | undefined {
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}
