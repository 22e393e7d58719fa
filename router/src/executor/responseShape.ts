import {
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
import { Kind } from "./shapeResponse.js";

/**
 * An operation compiled for `shapeResponse` (see there): everything the walk over the subgraph data needs that
 * depends only on the operation (selection order, aliases, `__typename`, type conditions, @skip/@include, the
 * leaf validators and output types), compiled once per query plan, so a request only walks the data.
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
export type Condition = boolean | { variable: string; text: string; argument: string };

/** A field's output type, as the walk completes values of it. */
export type OutputType =
  | { kind: Kind.NonNull; of: OutputType; text: string }
  | { kind: Kind.List; of: OutputType; text: string }
  | { kind: Kind.Composite; type: TypeInfo; text: string }
  | { kind: Kind.Leaf; valid: (value: unknown) => boolean; text: string };

export interface FieldShape {
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

export interface FragmentShape {
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

export type ShapeSet = readonly (FieldShape | FragmentShape)[];

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
