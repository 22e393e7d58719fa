import {
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { CostDirectives } from "../supergraph/metadata.js";

export interface ActualCostOptions {
  operationName?: string | null | undefined;
  directives?: CostDirectives | undefined;
  /** @default 10 */
  mutationCost?: number;
}

/** A field of a selection set as costed for one parent type: fragments that apply to it are already expanded. */
interface CostedField {
  responseName: string;
  weight: number;
  type: GraphQLNamedType;
  selectionSet: SelectionSetNode | undefined;
}

/**
 * The costed fields of each selection set of a document per parent type (for one schema and its cost directives):
 * they depend only on the document, so a document served again (Apollo keeps parsed documents) is only walked
 * over its data.
 */
interface CompiledDocument {
  schema: GraphQLSchema;
  directives: CostDirectives | undefined;
  sets: WeakMap<SelectionSetNode, Map<string, CostedField[]>>;
}
const compiledDocuments = new WeakMap<DocumentNode, CompiledDocument>();

/**
 * The cost of what an operation actually returned: the estimator's weights applied to the response data, with
 * real list lengths instead of slicing arguments, and nothing counted for nulls. Pure.
 */
export function actualCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: unknown,
  options: ActualCostOptions = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!options.operationName || d.name?.value === options.operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root || !isRecord(data)) return 0;
  const directives = options.directives;
  let known = compiledDocuments.get(document);
  if (known?.schema !== schema || known.directives !== directives) {
    known = { schema, directives, sets: new WeakMap() };
    compiledDocuments.set(document, known);
  }
  const compiled = known.sets;

  /** The fields of `set` on an object of type `parent`, with the fragments that apply to it expanded. */
  const costedFields = (set: SelectionSetNode, parent: GraphQLNamedType): CostedField[] => {
    let byParent = compiled.get(set);
    if (!byParent) compiled.set(set, (byParent = new Map()));
    let fields = byParent.get(parent.name);
    if (!fields) {
      fields = [];
      expand(set, parent, new Set(), fields);
      byParent.set(parent.name, fields);
    }
    return fields;
  };

  const expand = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    seen: ReadonlySet<string>,
    into: CostedField[],
  ): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const definition = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!definition || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
        const condition = definition.typeCondition?.name.value;
        const type = condition ? schema.getType(condition) : parent;
        if (
          !type ||
          (condition && isObjectType(parent) && condition !== parent.name && !implementsOrMember(schema, parent, type))
        )
          continue;
        const nextSeen = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        expand(definition.selectionSet, isObjectType(parent) ? parent : type, nextSeen, into);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__") || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const returnType = getNamedType(field.type);
      const typeWeight = directives?.typeWeights.get(returnType.name) ?? (isCompositeType(returnType) ? 1 : 0);
      const weight = directives?.fieldWeights.get(`${parent.name}.${name}`) ?? typeWeight;
      into.push({
        responseName: selection.alias?.value ?? name,
        weight,
        type: returnType,
        selectionSet: selection.selectionSet,
      });
    }
  };

  const valueCost = (
    value: unknown,
    type: GraphQLNamedType,
    weight: number,
    set: SelectionSetNode | undefined,
  ): number => {
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) {
      let sum = 0;
      for (const item of value) sum += valueCost(item, type, weight, set);
      return sum;
    }
    if (!set || !isRecord(value)) return weight;
    const concrete = typeof value.__typename === "string" ? (schema.getType(value.__typename) ?? type) : type;
    return weight + objectCost(costedFields(set, concrete), value);
  };

  const objectCost = (fields: readonly CostedField[], object: Record<string, unknown>): number => {
    let total = 0;
    for (const field of fields)
      total += valueCost(object[field.responseName], field.type, field.weight, field.selectionSet);
    return total;
  };

  const base = operation.operation === "mutation" ? (options.mutationCost ?? 10) : 0;
  return base + objectCost(costedFields(operation.selectionSet, root), data);
}

function implementsOrMember(schema: GraphQLSchema, object: GraphQLNamedType, abstract: GraphQLNamedType): boolean {
  return isObjectType(object) && isAbstractType(abstract) && schema.isSubType(abstract, object);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
