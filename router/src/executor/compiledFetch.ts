import type { FetchDataRewrite, FetchNode, QueryPlanSelectionNode } from "@apollo/query-planner";
import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";
import { deepMerge, setOwn, type Data } from "./deepMerge.js";

/**
 * What a fetch node does that depends only on the plan, compiled once per node (and supergraph): the representation
 * of an entity (its `requires`), what decides whether two entities share one, and the input and output rewrites.
 */

export interface CompiledFetch {
  supergraph: GraphQLSchema;
  /** The representation of an entity (`requires` applied to it); null when a required field is missing. */
  representation: ((entity: unknown) => Data | null) | undefined;
  /** When `requires` is only leaf fields (possibly in one type condition): entities are matched on their values. */
  key: RepresentationKey | undefined;
  inputRewrite: ((value: unknown) => void) | undefined;
  outputRewrite: ((value: unknown) => void) | undefined;
}

const compiledFetches = new WeakMap<FetchNode, CompiledFetch>();
/** What decides an entity's representation when `requires` is leaf fields only: those fields, in one type condition. */
export interface RepresentationKey {
  condition: ((object: Data, whenUnknown: boolean) => boolean) | undefined;
  fields: readonly string[];
}

function representationKey(
  requires: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): RepresentationKey | undefined {
  const leaves = (selections: readonly QueryPlanSelectionNode[]): string[] | undefined =>
    selections.every((selection) => selection.kind === "Field" && !selection.selections)
      ? selections.map((selection) => (selection.kind === "Field" ? (selection.alias ?? selection.name) : ""))
      : undefined;
  const [only] = requires;
  if (requires.length === 1 && only?.kind === "InlineFragment" && only.typeCondition) {
    const fields = leaves(only.selections);
    return fields ? { condition: types(only.typeCondition), fields } : undefined;
  }
  const fields = leaves(requires);
  return fields ? { condition: undefined, fields } : undefined;
}
export function compiledFetch(node: FetchNode, supergraph: GraphQLSchema): CompiledFetch {
  const known = compiledFetches.get(node);
  if (known?.supergraph === supergraph) return known;
  const types = typeMatcher(supergraph);
  const compiled: CompiledFetch = {
    supergraph,
    representation: node.requires ? compileSelections(node.requires, types) : undefined,
    key: node.requires ? representationKey(node.requires, types) : undefined,
    inputRewrite: compileRewrites(node.inputRewrites, types),
    outputRewrite: compileRewrites(node.outputRewrites, types),
  };
  compiledFetches.set(node, compiled);
  return compiled;
}

/** Whether an object's `__typename` is the type condition or one of its possible types. */
type TypeMatcher = (condition: string) => (object: Data, whenUnknown: boolean) => boolean;

const matchers = new WeakMap<GraphQLSchema, Map<string, (object: Data, whenUnknown: boolean) => boolean>>();

function typeMatcher(schema: GraphQLSchema): TypeMatcher {
  let byCondition = matchers.get(schema);
  if (!byCondition) {
    byCondition = new Map();
    matchers.set(schema, byCondition);
  }
  const cache = byCondition;
  return (condition) => {
    let match = cache.get(condition);
    if (!match) {
      const names = new Set([condition]);
      const conditionType = schema.getType(condition);
      if (conditionType && isAbstractType(conditionType)) {
        for (const type of Object.values(schema.getTypeMap())) {
          if ((isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type))
            names.add(type.name);
        }
      }
      match = (object, whenUnknown) => {
        const typename = object.__typename;
        if (!typename) return whenUnknown;
        return typeof typename === "string" && names.has(typename);
      };
      cache.set(condition, match);
    }
    return match;
  };
}

/** Compiles a `requires` selection into a function extracting it from an entity. */
type SelectionStep =
  | { field: string; nested: ((source: unknown) => Data | null) | undefined }
  | { condition: (object: Data, whenUnknown: boolean) => boolean; nested: (source: unknown) => Data | null };

function compileSelections(
  selections: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): (source: unknown) => Data | null {
  const steps: SelectionStep[] = [];
  for (const selection of selections) {
    if (selection.kind === "Field") {
      steps.push({
        field: selection.alias ?? selection.name,
        nested: selection.selections ? compileSelections(selection.selections, types) : undefined,
      });
    } else if (selection.typeCondition) {
      // Inline fragments without a type condition add nothing to a representation.
      steps.push({ condition: types(selection.typeCondition), nested: compileSelections(selection.selections, types) });
    }
  }
  const extract = (source: unknown): Data | null => {
    if (source === null) return null;
    const result: Data = {};
    for (const step of steps) {
      if ("field" in step) {
        const name = step.field;
        if (!Object.hasOwn(source as object, name)) return null;
        const value = (source as Data)[name];
        if (value === undefined) return null;
        const nested = step.nested;
        setOwn(
          result,
          name,
          Array.isArray(value) ? (nested ? value.map(nested) : value) : nested ? nested(value) : value,
        );
      } else if (source && step.condition(source as Data, false)) {
        deepMerge(result, step.nested(source));
      }
    }
    return result;
  };
  return extract;
}

const FRAGMENT_PREFIX = "... on ";

/** Compiles the input or output rewrites of a fetch (renamed keys, set values) into one function. */
function compileRewrites(
  rewrites: readonly FetchDataRewrite[] | undefined,
  types: TypeMatcher,
): ((value: unknown) => void) | undefined {
  if (!rewrites || rewrites.length === 0) return undefined;
  const compiled = rewrites.map((rewrite) => compileRewrite(rewrite, types)).filter((rewrite) => rewrite !== undefined);
  return (value) => {
    for (const rewrite of compiled) rewrite(value);
  };
}

function compileRewrite(rewrite: FetchDataRewrite, types: TypeMatcher): ((value: unknown) => void) | undefined {
  if (rewrite.path.length === 0) return undefined;
  const last = rewrite.path[rewrite.path.length - 1]!;
  if (last.startsWith(FRAGMENT_PREFIX))
    throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(",")}`);
  const steps = rewrite.path
    .slice(0, -1)
    .map((element) =>
      element.startsWith(FRAGMENT_PREFIX)
        ? { condition: types(element.slice(FRAGMENT_PREFIX.length)) }
        : { field: element },
    );
  const apply: (object: Data) => void =
    rewrite.kind === "ValueSetter"
      ? (object) => setOwn(object, last, rewrite.setValueTo)
      : (object) => {
          const value = Object.hasOwn(object, last) ? object[last] : undefined;
          if (value) {
            setOwn(object, rewrite.renameKeyTo, value);
            setOwn(object, last, undefined);
          }
        };
  const walk = (value: unknown, from: number): void => {
    if (Array.isArray(value)) {
      for (const element of value) walk(element, from);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const object = value as Data;
    if (from === steps.length) {
      apply(object);
      return;
    }
    const step = steps[from]!;
    if ("field" in step) walk(Object.hasOwn(object, step.field!) ? object[step.field!] : undefined, from + 1);
    else if (step.condition(object, true)) walk(object, from + 1);
  };
  return (value) => walk(value, 0);
}
