import {
  Kind,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import type { AccessPolicies, AccessRequirement } from "../supergraph/metadata.js";

/** What the authorization check knows of the caller: null when anonymous. */
export type Caller = { scopes: ReadonlySet<string> } | null;

/** A response path of response keys; `@` stands for every item of a list. */
export type ResponsePath = readonly string[];

export interface Denial {
  /** Where the field (or fragment) was in the response. */
  path: ResponsePath;
  /** `Type.field`, or `Type` for a type the caller may not see. */
  coordinate: string;
}

export interface AuthorizationResult {
  /** Every field or fragment removed, in document order. */
  denied: Denial[];
  /** The operation without them (fragments inlined); the input document when nothing was denied. */
  document: DocumentNode;
  /** Where the response must get `null`: removed nullable fields, and the nearest nullable parent of removed non-null ones. */
  nulls: ResponsePath[];
  /** Response keys added only to keep selection sets non-empty, to strip from the response. */
  placeholders: ResponsePath[];
  /** A removed non-null field had no nullable parent: the whole `data` is null. */
  dataIsNull: boolean;
}

/** The alias of `__typename` kept in a selection set whose every field was removed. */
export const PLACEHOLDER_KEY = "authorizationPlaceholder";

export interface AuthorizeOperationOptions {
  operationName?: string | null | undefined;
  /** Stops a hostile document from expanding without bound (fragments are inlined). @default 50000 */
  maxSelections?: number;
}

/** A document whose fragment expansion passes `maxSelections`. */
export class ExpansionLimitError extends Error {
  constructor(readonly max: number) {
    super(`The operation expands to more than ${max} selections.`);
    this.name = "ExpansionLimitError";
  }
}

/** True when the caller meets one requirement. */
export function satisfies(requirement: AccessRequirement, caller: Caller): boolean {
  if (requirement.authenticated && !caller) return false;
  if (requirement.scopes.length === 0) return true;
  return requirement.scopes.some((all) => all.every((scope) => caller?.scopes.has(scope) === true));
}

/**
 * Removes from an operation every field and fragment the caller may not see (`@authenticated`,
 * `@requiresScopes` on the field, on an interface implementation's field, or on the returned type), working on
 * the document before it is planned: a removed field is never sent to a subgraph. Pure.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  policies: AccessPolicies,
  caller: Caller,
  { operationName, maxSelections = 50_000 }: AuthorizeOperationOptions = {},
): AuthorizationResult {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  const empty: AuthorizationResult = { denied: [], document, nulls: [], placeholders: [], dataIsNull: false };
  if (!operation || !root || (policies.fields.size === 0 && policies.types.size === 0)) return empty;

  const walker = new Walker(schema, policies, caller, document, maxSelections);
  const { set, nullParent } = walker.selectionSet(operation.selectionSet, root, [], new Set());
  if (walker.denied.length === 0) return empty;
  return {
    denied: walker.denied,
    document: { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: set }] },
    nulls: walker.nulls,
    placeholders: walker.placeholders,
    dataIsNull: nullParent,
  };
}

class Walker {
  readonly denied: Denial[] = [];
  readonly nulls: ResponsePath[] = [];
  readonly placeholders: ResponsePath[] = [];
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private selections = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly policies: AccessPolicies,
    private readonly caller: Caller,
    document: DocumentNode,
    private readonly maxSelections: number,
  ) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  /** Filters one selection set of an object at `path`. `nullParent`: a removed non-null field makes that object null. */
  selectionSet(
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    path: ResponsePath,
    spreading: ReadonlySet<string>,
    inFragment = false,
  ): { set: SelectionSetNode; nullParent: boolean } {
    const kept: SelectionNode[] = [];
    let nullParent = false;
    for (const selection of set.selections) {
      if (++this.selections > this.maxSelections) throw new ExpansionLimitError(this.maxSelections);
      if (selection.kind === Kind.FIELD) {
        const result = this.field(selection, parent, path, spreading);
        if (result.node) kept.push(result.node);
        nullParent ||= result.nullParent;
        continue;
      }
      let fragment: InlineFragmentNode;
      let nextSpreading = spreading;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const definition = this.fragments.get(selection.name.value);
        if (!definition || spreading.has(definition.name.value)) continue;
        nextSpreading = new Set([...spreading, definition.name.value]);
        fragment = {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: definition.typeCondition,
          directives: selection.directives ?? [],
          selectionSet: definition.selectionSet,
        };
      } else {
        fragment = selection;
      }
      const type = fragment.typeCondition ? this.schema.getType(fragment.typeCondition.name.value) : parent;
      if (!type) continue;
      const unmet = this.typeRequirements(type).some((r) => !satisfies(r, this.caller));
      if (unmet) {
        this.denied.push({ path, coordinate: type.name });
        continue;
      }
      const inner = this.selectionSet(fragment.selectionSet, type, path, nextSpreading, true);
      nullParent ||= inner.nullParent;
      if (inner.set.selections.length > 0) kept.push({ ...fragment, selectionSet: inner.set });
    }
    // An emptied fragment is dropped; its field's selection set gets the placeholder if it ends up empty.
    return { set: { ...set, selections: inFragment ? kept : this.nonEmpty(kept, path) }, nullParent };
  }

  private field(
    node: FieldNode,
    parent: GraphQLNamedType,
    path: ResponsePath,
    spreading: ReadonlySet<string>,
  ): { node?: FieldNode; nullParent: boolean } {
    const name = node.name.value;
    if (name.startsWith("__") || !(isObjectType(parent) || isInterfaceType(parent))) return { node, nullParent: false };
    const definition = parent.getFields()[name];
    if (!definition) return { node, nullParent: false };
    const key = node.alias?.value ?? name;
    const fieldPath = [...path, key];
    const coordinate = `${parent.name}.${name}`;

    if (this.fieldRequirements(parent, name, getNamedType(definition.type)).some((r) => !satisfies(r, this.caller))) {
      this.denied.push({ path: fieldPath, coordinate });
      if (isNonNullType(definition.type)) return { nullParent: true };
      this.nulls.push(fieldPath);
      return { nullParent: false };
    }
    if (!node.selectionSet) return { node, nullParent: false };

    const { nullable, listDepth } = wrappers(definition.type);
    const objectPath = [...fieldPath, ...Array<string>(listDepth).fill("@")];
    const child = this.selectionSet(node.selectionSet, getNamedType(definition.type), objectPath, spreading);
    const filtered: FieldNode = { ...node, selectionSet: child.set };
    if (!child.nullParent) return { node: filtered, nullParent: false };
    // The nearest nullable position from the object outwards: the object itself (as a list item), an outer list, the field.
    for (let level = listDepth; level >= 0; level -= 1) {
      if (!nullable[level]) continue;
      if (level === 0) {
        this.nulls.push(fieldPath);
        return { nullParent: false };
      }
      this.nulls.push([...fieldPath, ...Array<string>(level).fill("@")]);
      return { node: filtered, nullParent: false };
    }
    return { nullParent: true };
  }

  /** A field's requirements: its own, those of the same field on every implementation of an interface, its type's. */
  private fieldRequirements(parent: GraphQLNamedType, field: string, returned: GraphQLNamedType): AccessRequirement[] {
    const requirements: AccessRequirement[] = [];
    const own = this.policies.fields.get(`${parent.name}.${field}`);
    if (own) requirements.push(own);
    if (isInterfaceType(parent)) {
      for (const implementation of this.schema.getPossibleTypes(parent)) {
        const r = this.policies.fields.get(`${implementation.name}.${field}`);
        if (r) requirements.push(r);
      }
    }
    return requirements.concat(this.typeRequirements(returned));
  }

  /** A type's requirements; for an interface or union, also those of every possible type. */
  private typeRequirements(type: GraphQLNamedType): AccessRequirement[] {
    const names = [type.name, ...(isAbstractType(type) ? this.schema.getPossibleTypes(type).map((t) => t.name) : [])];
    return names.flatMap((n) => {
      const r = this.policies.types.get(n);
      return r ? [r] : [];
    });
  }

  /** An empty selection set is not GraphQL: keep an aliased `__typename`, stripped from the response later. */
  private nonEmpty(kept: SelectionNode[], path: ResponsePath): SelectionNode[] {
    if (kept.length > 0) return kept;
    this.placeholders.push([...path, PLACEHOLDER_KEY]);
    return [
      {
        kind: Kind.FIELD,
        alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY },
        name: { kind: Kind.NAME, value: "__typename" },
      },
    ];
  }
}

/** For `[[T!]]!`: nullable = [false (field), true (outer items), false (inner items)], listDepth 2. */
function wrappers(type: GraphQLOutputType): { nullable: boolean[]; listDepth: number } {
  const nullable: boolean[] = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    const nonNull = isNonNullType(current);
    nullable.push(!nonNull);
    const inner: GraphQLOutputType = nonNull ? (current as { ofType: GraphQLOutputType }).ofType : current;
    if (!isListType(inner)) break;
    current = inner.ofType;
  }
  return { nullable, listDepth: nullable.length - 1 };
}
