import {
  ERRORS,
  Variable,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  typenameFieldName,
  type FieldSelection,
  type NamedType,
  type Operation,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
} from "@apollo/federation-internals";
import type { GraphQLError } from "graphql";

/**
 * The response of an operation, computed from the data the subgraphs returned (merged into one tree) by walking
 * the operation: selection order, aliases, `__typename`, type conditions, @skip/@include, leaf validation and null
 * propagation with an error at the path of the offending value. The rules are @apollo/gateway's (its executor is
 * the oracle the tests compare with); what differs is when the work is done: everything that depends only on the
 * operation is compiled once per query plan, so a request only walks the data.
 */

/** What the walk needs to know of a type: its name, and whether it is an object or composite type. */
export interface TypeInfo {
  readonly name: string;
  readonly isObject: boolean;
  readonly isComposite: boolean;
}

/** The API schema's types by name, built once per schema. */
interface TypeTable {
  readonly schema: Schema;
  readonly byName: ReadonlyMap<string, TypeInfo>;
  /** Names of the types each type condition applies to (the condition and its subtypes), by condition name. */
  readonly subtypes: Map<string, ReadonlySet<string>>;
}

/** A @skip/@include argument: a literal, or a variable (with the text of the directive for the error message). */
type Condition = boolean | { variable: string; text: string; argument: string };

const enum Kind {
  NonNull,
  List,
  Composite,
  Leaf,
}

type OutputType =
  | { kind: Kind.NonNull; of: OutputType; text: string }
  | { kind: Kind.List; of: OutputType; text: string }
  | { kind: Kind.Composite; type: TypeInfo; text: string }
  | { kind: Kind.Leaf; valid: (value: unknown) => boolean; text: string };

interface FieldShape {
  field: true;
  responseName: string;
  /** `responseName` is also a property of Object.prototype: read it as an own property only. */
  inherited: boolean;
  skip: Condition | undefined;
  include: Condition | undefined;
  /** `__typename` (possibly aliased). */
  typename: boolean;
  /** `__schema` / `__type`: answered from the API schema, not from subgraph data. */
  introspection: FieldSelection | undefined;
  type: OutputType;
  selections: ShapeSet | undefined;
}

interface FragmentShape {
  field: false;
  skip: Condition | undefined;
  include: Condition | undefined;
  /** The type condition; undefined when the fragment has none. */
  condition: TypeInfo | undefined;
  /** Types the condition applies to. */
  appliesTo: ReadonlySet<string> | undefined;
  selections: ShapeSet;
  /** The label of its `@defer` (unique in a planned operation, see `labelDeferredFragments`); undefined without one. */
  deferLabel: string | undefined;
}

type ShapeSet = readonly (FieldShape | FragmentShape)[];

/** An operation compiled for `shapeResponse`. */
export interface ResponseShape {
  readonly root: ShapeSet;
  readonly rootType: TypeInfo;
  /** The API schema's types by name (runtime `__typename`s are looked up here). */
  readonly types: ReadonlyMap<string, TypeInfo>;
  /** Default values of the variables @skip/@include read. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The fragments with a `@defer`, by label. */
  readonly deferredFragments: ReadonlyMap<string, FragmentShape>;
  /** The label of the deferred fragment each deferred fragment is nested in (undefined: in none). */
  readonly deferredParents: ReadonlyMap<string, string | undefined>;
}

/** Answers an introspection field (`__schema`, `__type`) of the operation. */
export type IntrospectionHandler = (selection: FieldSelection) => unknown;

/**
 * A deferred fragment met while shaping: the walk left it out of the payload it was shaping, and a later payload
 * (`shapeDeferredFragment`) holds its fields once the plan's deferred block with that label has run.
 */
export interface DeferredFragment {
  label: string;
  /** Its path in the response (where its payload goes). */
  path: (string | number)[];
  /** The subgraph data of the object it applies to (more of it is merged in by its block). */
  input: Record<string, unknown>;
  /** The runtime type of that object (or the fragment's type condition). */
  type: TypeInfo;
  /** The data of the payload it was met in, and that payload's path: the fragment is delivered only if its object is still there. */
  owner: { data: Record<string, unknown> | null; path: readonly (string | number)[] };
}

/** What a walk defers: fragments whose label is in `labels` are left out and collected in `found`. */
export interface DeferredShaping {
  labels: { has(label: string): boolean };
  found: DeferredFragment[];
}

export interface ShapedResponse {
  /** Null when a null propagated up to the root. */
  data: Record<string, unknown> | null;
  /** Values the subgraphs returned that the schema does not allow (invalid leaf, null for a non-null field, …). */
  errors: GraphQLError[];
}

const tables = new WeakMap<Schema, TypeTable>();

function typeTable(schema: Schema): TypeTable {
  let table = tables.get(schema);
  if (!table) {
    const byName = new Map<string, TypeInfo>();
    for (const type of schema.allTypes())
      byName.set(type.name, { name: type.name, isObject: isObjectType(type), isComposite: isCompositeType(type) });
    table = { schema, byName, subtypes: new Map() };
    tables.set(schema, table);
  }
  return table;
}

/** The types `condition` applies to at runtime (it and every type it is a supertype of). */
function subtypesOf(table: TypeTable, condition: NamedType): ReadonlySet<string> {
  let names = table.subtypes.get(condition.name);
  if (!names) {
    names = new Set(
      table.schema
        .allTypes()
        .filter((type) => isSubtype(condition, type))
        .map((type) => type.name),
    );
    table.subtypes.set(condition.name, names);
  }
  return names;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const isInteger = (value: unknown): boolean =>
  typeof value === "number" && Number.isFinite(value) && INTEGER.test(String(value));

/** The leaf values a type accepts, as @apollo/federation-internals' isValidLeafValue decides them. */
function leafValidator(schema: Schema, type: NamedType): (value: unknown) => boolean {
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) {
    const values = new Set(type.values.map((value) => value.name));
    return (value) => typeof value === "string" && values.has(value);
  }
  if (type === schema.booleanType()) return (value) => typeof value === "boolean";
  if (type === schema.intType()) return isInteger;
  if (type === schema.idType()) return (value) => typeof value === "string" || isInteger(value);
  if (type === schema.floatType()) return (value) => typeof value === "number" && Number.isFinite(value);
  // String
  return (value) => typeof value === "string";
}

function outputType(table: TypeTable, type: Type): OutputType {
  if (isNonNullType(type)) return { kind: Kind.NonNull, of: outputType(table, type.ofType), text: type.toString() };
  if (isListType(type)) return { kind: Kind.List, of: outputType(table, type.ofType), text: type.toString() };
  const named = type as NamedType;
  const info = table.byName.get(named.name);
  if (info?.isComposite) return { kind: Kind.Composite, type: info, text: named.toString() };
  return { kind: Kind.Leaf, valid: leafValidator(table.schema, named), text: named.toString() };
}

function conditionOf(selection: Selection, schema: Schema, which: "skip" | "include"): Condition | undefined {
  const definition = which === "skip" ? schema.skipDirective() : schema.includeDirective();
  const [directive] = selection.element.appliedDirectivesOf(definition);
  if (!directive) return undefined;
  const argument = directive.arguments().if as unknown;
  if (argument instanceof Variable)
    return { variable: argument.name, text: directive.toString(), argument: argument.toString() };
  return Boolean(argument);
}

function deferLabelOf(selection: Selection, schema: Schema): string | undefined {
  const [directive] = selection.element.appliedDirectivesOf(schema.deferDirective());
  const label = directive?.arguments().label as unknown;
  return typeof label === "string" ? label : undefined;
}

/** Compiles an operation (as @apollo/federation-internals builds it from the document) for `shapeResponse`. */
export function compileResponseShape(operation: Operation): ResponseShape {
  const schema = operation.schema();
  const table = typeTable(schema);
  // Named fragments are shared: compile each selection set once (a fragment spread many times stays one shape).
  const compiled = new Map<SelectionSet, ShapeSet>();
  const deferredFragments = new Map<string, FragmentShape>();
  const compileSet = (set: SelectionSet): ShapeSet => {
    const known = compiled.get(set);
    if (known) return known;
    const shapes: (FieldShape | FragmentShape)[] = [];
    compiled.set(set, shapes);
    for (const selection of set.selections()) {
      const skip = conditionOf(selection, schema, "skip");
      const include = conditionOf(selection, schema, "include");
      if (selection.kind === "FieldSelection") {
        const field = selection.element;
        const responseName = field.responseName();
        shapes.push({
          field: true,
          responseName,
          inherited: responseName in Object.prototype,
          skip,
          include,
          typename: field.name === typenameFieldName,
          introspection: field.definition.isSchemaIntrospectionField() ? selection : undefined,
          type: outputType(table, field.definition.type!),
          selections: selection.selectionSet ? compileSet(selection.selectionSet) : undefined,
        });
      } else {
        const condition = selection.element.typeCondition;
        const fragment: FragmentShape = {
          field: false,
          skip,
          include,
          condition: condition ? table.byName.get(condition.name) : undefined,
          appliesTo: condition ? subtypesOf(table, condition) : undefined,
          selections: compileSet(selection.selectionSet),
          deferLabel: deferLabelOf(selection, schema),
        };
        if (fragment.deferLabel !== undefined) deferredFragments.set(fragment.deferLabel, fragment);
        shapes.push(fragment);
      }
    }
    return shapes;
  };
  const rootType = schema.schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new Error(`The schema has no ${operation.rootKind} type`);
  const defaults: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(operation.collectDefaultedVariableValues())) defaults[name] = value;
  const root = compileSet(operation.selectionSet);
  return {
    root,
    rootType: table.byName.get(rootType.name)!,
    types: table.byName,
    defaults,
    deferredFragments,
    deferredParents: deferredParentsOf(root, deferredFragments.size),
  };
}

/** Which deferred fragment each deferred fragment is nested in (operations with `@defer` have no shared fragments). */
function deferredParentsOf(root: ShapeSet, count: number): Map<string, string | undefined> {
  const parents = new Map<string, string | undefined>();
  if (count === 0) return parents;
  const visit = (shapes: ShapeSet, parent: string | undefined): void => {
    for (const shape of shapes) {
      if (shape.field) {
        if (shape.selections) visit(shape.selections, parent);
      } else if (shape.deferLabel !== undefined) {
        parents.set(shape.deferLabel, parent);
        visit(shape.selections, shape.deferLabel);
      } else {
        visit(shape.selections, parent);
      }
    }
  };
  visit(root, undefined);
  return parents;
}

/** Per-call state of one walk; `invalid`/`hasErrors` are the flags of the last `completeValue`. */
class Walk {
  readonly errors: GraphQLError[] = [];
  invalid = false;
  hasErrors = false;
  /** The data of the payload being shaped (set once it is complete) and its path, for the deferred fragments met. */
  readonly owner: DeferredFragment["owner"] | undefined;
  constructor(
    readonly shape: ResponseShape,
    readonly variables: Readonly<Record<string, unknown>> | undefined,
    readonly introspect: IntrospectionHandler,
    readonly deferred: DeferredShaping | undefined,
    path: readonly (string | number)[],
  ) {
    // Only deferred shaping records it (the hot path allocates nothing for @defer).
    this.owner = deferred ? { data: null, path } : undefined;
  }
}

const BUBBLE = 1;
const OK = 0;

function conditionValue(walk: Walk, condition: Condition): boolean {
  if (typeof condition === "boolean") return condition;
  const { variables, shape } = walk;
  const value =
    variables && Object.hasOwn(variables, condition.variable)
      ? variables[condition.variable]
      : shape.defaults[condition.variable];
  if (typeof value !== "boolean")
    throw new Error(`Unexpected value ${String(value)} for variable ${condition.argument} of ${condition.text}`);
  return value;
}

function skipped(walk: Walk, shape: FieldShape | FragmentShape): boolean {
  return (
    (shape.skip !== undefined && conditionValue(walk, shape.skip)) ||
    (shape.include !== undefined && !conditionValue(walk, shape.include))
  );
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function set(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

function describe(path: readonly (string | number)[], type: string, parent: TypeInfo): string {
  const last = path[path.length - 1];
  return typeof last === "string"
    ? `field ${parent.name}.${last}`
    : `array element of type ${type} at index ${String(last)}`;
}

function invalidGraphQL(message: string, path: readonly (string | number)[]): GraphQLError {
  return ERRORS.INVALID_GRAPHQL.err(message, { path: [...path] });
}

function shapeSet(
  walk: Walk,
  input: Record<string, unknown>,
  shapes: ShapeSet,
  output: Record<string, unknown>,
  path: (string | number)[],
  parent: TypeInfo,
): number {
  for (const shape of shapes) {
    if ((shape.skip !== undefined || shape.include !== undefined) && skipped(walk, shape)) continue;
    if (shape.field) {
      const name = shape.responseName;
      const existing = shape.inherited ? own(output, name) : output[name];
      if (shape.introspection) {
        if (existing === undefined) set(output, name, walk.introspect(shape.introspection));
        continue;
      }
      let value = (shape.inherited ? own(input, name) : input[name]) ?? null;
      if (shape.typename) {
        if (existing === undefined) {
          if (value === null && name !== typenameFieldName) value = input[typenameFieldName] ?? null;
          const type = (typeof value === "string" ? walk.shape.types.get(value) : undefined) ?? parent;
          if (!type.isObject) return BUBBLE;
          set(output, name, type.name);
        }
        continue;
      }
      path.push(name);
      const completed = completeValue(walk, existing, shape.type, value, shape.selections, path, parent);
      set(output, name, completed);
      path.pop();
      if (walk.invalid) return BUBBLE;
    } else {
      const typename = input[typenameFieldName];
      if (typename && typeof typename !== "string")
        throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      const applies =
        shape.appliesTo === undefined || shape.appliesTo.has(typename ? (typename as string) : parent.name);
      if (shape.deferLabel !== undefined && walk.deferred?.labels.has(shape.deferLabel)) {
        if (applies)
          walk.deferred.found.push({
            label: shape.deferLabel,
            path: [...path],
            input,
            type: shape.condition ?? parent,
            owner: walk.owner!,
          });
        continue;
      }
      if (applies && shapeSet(walk, input, shape.selections, output, path, shape.condition ?? parent) === BUBBLE)
        return BUBBLE;
    }
  }
  return OK;
}

/** Merges `input` into `existing` (undefined the first time a response name is met) for a value of `type`. */
function completeValue(
  walk: Walk,
  existing: unknown,
  type: OutputType,
  input: unknown,
  selections: ShapeSet | undefined,
  path: (string | number)[],
  parent: TypeInfo,
): unknown {
  walk.invalid = false;
  walk.hasErrors = false;
  if (existing === null || (existing !== undefined && selections === undefined)) return existing;
  if (type.kind === Kind.NonNull) {
    const value = completeValue(walk, existing, type.of, input, selections, path, parent);
    if (value === null) {
      if (!walk.hasErrors)
        walk.errors.push(
          invalidGraphQL(`Cannot return null for non-nullable ${describe(path, type.of.text, parent)}.`, path),
        );
      walk.invalid = true;
      walk.hasErrors = true;
      return null;
    }
    walk.invalid = false;
    walk.hasErrors = false;
    return value;
  }
  if (input === null) return null;
  switch (type.kind) {
    case Kind.List: {
      if (!Array.isArray(input))
        throw new Error(`Invalid non-list value ${String(input)} returned by subgraph for list type ${type.text}`);
      if (existing !== undefined && !Array.isArray(existing))
        throw new Error(`Invalid non-list value ${String(existing)} returned by subgraph for list type ${type.text}`);
      const previous = existing as unknown[] | undefined;
      if (previous && previous.length !== input.length) {
        throw new Error(
          `[${String(input)}].length (${input.length}) !== [${String(previous)}].length (${previous.length})`,
        );
      }
      const list = new Array<unknown>(input.length);
      let nullify = false;
      let hasErrors = false;
      for (let index = 0; index < input.length; index++) {
        path.push(index);
        list[index] = completeValue(walk, previous?.[index], type.of, input[index], selections, path, parent);
        path.pop();
        nullify ||= walk.invalid;
        hasErrors ||= walk.hasErrors;
      }
      walk.invalid = false;
      walk.hasErrors = hasErrors;
      return nullify ? null : list;
    }
    case Kind.Composite: {
      if (!selections) throw new Error(`Invalid empty selection set for composite type ${type.text}`);
      if (typeof input !== "object" || (existing !== undefined && typeof existing !== "object")) {
        throw new Error(
          `Invalid non-object value ${String(input)} returned by subgraph for composite type ${type.text}`,
        );
      }
      const object = input as Record<string, unknown>;
      const typename = object[typenameFieldName];
      if (typename !== undefined && typeof typename !== "string")
        throw new Error(`Invalid non-string value ${String(typename)} for __typename at ${path.join(",")}`);
      let runtimeType = type.type;
      if (typename) {
        const named = walk.shape.types.get(typename);
        if (!named?.isComposite) {
          walk.errors.push(
            invalidGraphQL(`Invalid __typename found for object at ${describe(path, type.text, parent)}.`, path),
          );
          walk.hasErrors = true;
          return null;
        }
        runtimeType = named;
      }
      const output = (existing ?? {}) as Record<string, unknown>;
      const bubbled = shapeSet(walk, object, selections, output, path, runtimeType) === BUBBLE;
      walk.invalid = false;
      walk.hasErrors = bubbled;
      return bubbled ? null : output;
    }
    case Kind.Leaf: {
      if (type.valid(input)) return input;
      walk.errors.push(invalidGraphQL(`Invalid value found for ${describe(path, type.text, parent)}.`, path));
      walk.hasErrors = true;
      return null;
    }
  }
}

/**
 * The response data of a compiled operation over the merged subgraph data, and the errors of the values that do
 * not fit the schema. Throws (like @apollo/gateway) when the data cannot be shaped at all, e.g. an object where
 * the schema has a list.
 */
export function shapeResponse(
  shape: ResponseShape,
  input: Record<string, unknown>,
  variables: Readonly<Record<string, unknown>> | undefined,
  introspect: IntrospectionHandler,
  deferred?: DeferredShaping,
): ShapedResponse {
  const walk = new Walk(shape, variables, introspect, deferred, []);
  const data: Record<string, unknown> = {};
  const bubbled = shapeSet(walk, input, shape.root, data, [], shape.rootType) === BUBBLE;
  const shaped = bubbled ? null : data;
  if (walk.owner) walk.owner.data = shaped;
  return { data: shaped, errors: walk.errors };
}

/**
 * The payload of a deferred fragment: its fields over the subgraph data of its object, at its path (error paths
 * included). A null that propagates up to the fragment makes the payload's data null: what was already sent stays.
 */
export function shapeDeferredFragment(
  shape: ResponseShape,
  fragment: DeferredFragment,
  variables: Readonly<Record<string, unknown>> | undefined,
  introspect: IntrospectionHandler,
  deferred: DeferredShaping,
): ShapedResponse {
  const compiled = shape.deferredFragments.get(fragment.label);
  if (!compiled) throw new Error(`No deferred fragment labelled ${fragment.label}`);
  const walk = new Walk(shape, variables, introspect, deferred, fragment.path);
  const data: Record<string, unknown> = {};
  const bubbled =
    shapeSet(walk, fragment.input, compiled.selections, data, [...fragment.path], fragment.type) === BUBBLE;
  const shaped = bubbled ? null : data;
  if (walk.owner) walk.owner.data = shaped;
  return { data: shaped, errors: walk.errors };
}
