import { ERRORS, typenameFieldName, type FieldSelection } from "@apollo/federation-internals";
import type { GraphQLError } from "graphql";
import type {
  Condition,
  FieldShape,
  FragmentShape,
  OutputType,
  ResponseShape,
  ShapeSet,
  TypeInfo,
} from "./responseShape.js";

/**
 * The response of an operation, computed from the data the subgraphs returned (merged into one tree) by walking
 * the operation: selection order, aliases, `__typename`, type conditions, @skip/@include, leaf validation and null
 * propagation with an error at the path of the offending value. The rules are @apollo/gateway's (its executor is
 * the oracle the tests compare with); what differs is when the work is done: everything that depends only on the
 * operation is compiled once per query plan, so a request only walks the data.
 */

/** The kinds of output type (`OutputType`), declared next to the walk that switches on them on every value. */
export const enum Kind {
  NonNull,
  List,
  Composite,
  Leaf,
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
