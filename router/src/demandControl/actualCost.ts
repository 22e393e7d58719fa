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

/**
 * The cost of what an operation actually returned: the estimator's weights applied to the response data, with
 * real list lengths instead of slicing arguments, and nothing counted for nulls. Pure.
 */
export function actualCost(schema: GraphQLSchema, document: DocumentNode, data: unknown, options: ActualCostOptions = {}): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!options.operationName || d.name?.value === options.operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root || !isRecord(data)) return 0;
  const directives = options.directives;

  const valueCost = (value: unknown, type: GraphQLNamedType, weight: number, set: SelectionSetNode | undefined): number => {
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + valueCost(item, type, weight, set), 0);
    if (!set || !isRecord(value)) return weight;
    const concrete = typeof value.__typename === "string" ? (schema.getType(value.__typename) ?? type) : type;
    return weight + selectionCost(set, concrete, value);
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLNamedType, object: Record<string, unknown>, seen = new Set<string>()): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const definition = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!definition || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
        const condition = definition.typeCondition?.name.value;
        const type = condition ? schema.getType(condition) : parent;
        if (!type || (condition && isObjectType(parent) && condition !== parent.name && !implementsOrMember(schema, parent, type))) continue;
        const nextSeen = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        total += selectionCost(definition.selectionSet, isObjectType(parent) ? parent : type, object, nextSeen);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__") || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const returnType = getNamedType(field.type);
      const coordinate = `${parent.name}.${name}`;
      const typeWeight = directives?.typeWeights.get(returnType.name) ?? (isCompositeType(returnType) ? 1 : 0);
      const weight = directives?.fieldWeights.get(coordinate) ?? typeWeight;
      total += valueCost(object[selection.alias?.value ?? name], returnType, weight, selection.selectionSet);
    }
    return total;
  };

  const base = operation.operation === "mutation" ? (options.mutationCost ?? 10) : 0;
  return base + selectionCost(operation.selectionSet, root, data);
}

function implementsOrMember(schema: GraphQLSchema, object: GraphQLNamedType, abstract: GraphQLNamedType): boolean {
  return isObjectType(object) && isAbstractType(abstract) && schema.isSubType(abstract, object);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
