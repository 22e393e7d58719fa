import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { CostDirectives } from "../supergraph/metadata.js";

export interface CostOptions {
  /** Which operation of the document; without it, the only operation (or the most expensive one). */
  operationName?: string | null | undefined;
  /** Variable values, for slicing arguments given as variables. @default {} */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  /** `@cost` / `@listSize` read from the supergraph (`readSupergraphMetadata(...).cost`). @default none */
  directives?: CostDirectives | undefined;
  /** Size assumed for a list without `@listSize` or slicing argument. @default 10 */
  defaultListSize?: number;
  /** Cost of running a mutation, on top of its selections. @default 10 */
  mutationCost?: number;
}

const NO_DIRECTIVES: CostDirectives = { fieldWeights: new Map(), typeWeights: new Map(), argumentWeights: new Map(), listSizes: new Map() };
const CAP = Number.MAX_SAFE_INTEGER;
const clamp = (n: number): number => Math.min(CAP, n);

/**
 * The static estimated cost of an operation, before it runs (IBM GraphQL cost spec, as Apollo's router applies
 * it): each object costs 1 and each scalar or enum 0 unless `@cost(weight:)` says otherwise; a list multiplies
 * its items by its slicing argument (`@listSize(slicingArguments:)`, also through `sizedFields`), else its
 * `assumedSize`, else `defaultListSize`; weighted arguments add their weight; a mutation adds `mutationCost`.
 * Fragments are costed once per use without re-walking them, so the time is linear in the document.
 * Pure: no I/O, no state; the same inputs give the same number.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions = {}): number {
  const estimator = new Estimator(schema, document, options);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = options.operationName ? operations.filter((o) => o.name?.value === options.operationName) : operations;
  return Math.max(0, ...chosen.map((operation) => estimator.operation(operation)));
}

class Estimator {
  private readonly directives: CostDirectives;
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly memo = new Map<string, number>();
  private readonly visiting = new Set<string>();
  private readonly defaultListSize: number;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly options: CostOptions,
  ) {
    this.directives = options.directives ?? NO_DIRECTIVES;
    this.defaultListSize = options.defaultListSize ?? 10;
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  operation(operation: OperationDefinitionNode): number {
    const root = this.schema.getRootType(operation.operation);
    if (!root) return 0;
    const base = operation.operation === "mutation" ? (this.options.mutationCost ?? 10) : 0;
    return clamp(base + this.selectionSet(operation.selectionSet, root, new Map()));
  }

  /** `sized`: list sizes that a parent's `@listSize(sizedFields:)` imposes on fields of this selection set. */
  private selectionSet(set: SelectionSetNode, parent: GraphQLNamedType, sized: ReadonlyMap<string, number>): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += this.field(selection, parent, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        if (type) total += this.selectionSet(selection.selectionSet, type, sized);
      } else {
        total += this.fragment(selection.name.value, sized);
      }
      if (total >= CAP) return CAP;
    }
    return total;
  }

  private fragment(name: string, sized: ReadonlyMap<string, number>): number {
    const key = sized.size === 0 ? name : `${name}|${[...sized].join(",")}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const definition = this.fragments.get(name);
    const type = definition && this.schema.getType(definition.typeCondition.name.value);
    if (!definition || !type || this.visiting.has(key)) return 0;
    this.visiting.add(key);
    const cost = this.selectionSet(definition.selectionSet, type, sized);
    this.visiting.delete(key);
    this.memo.set(key, cost);
    return cost;
  }

  private field(node: FieldNode, parent: GraphQLNamedType, sized: ReadonlyMap<string, number>): number {
    const name = node.name.value;
    if (name.startsWith("__") || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const definition = parent.getFields()[name];
    if (!definition) return 0;
    const coordinate = `${parent.name}.${name}`;
    const returnType = getNamedType(definition.type);
    const args = this.argumentValues(node, definition);

    let argumentCost = 0;
    for (const arg of definition.args) {
      const weight = this.directives.argumentWeights.get(`${coordinate}(${arg.name}:)`);
      if (weight !== undefined && args[arg.name] !== undefined) argumentCost += weight;
    }

    const listSize = this.directives.listSizes.get(coordinate);
    const slice = this.slicingValue(listSize?.slicingArguments, args);
    const childSized = new Map<string, number>();
    if (listSize?.sizedFields) {
      for (const sizedField of listSize.sizedFields) childSized.set(sizedField, slice ?? listSize.assumedSize ?? this.defaultListSize);
    }

    const typeWeight = this.directives.typeWeights.get(returnType.name) ?? (isCompositeType(returnType) ? 1 : 0);
    const ownWeight = this.directives.fieldWeights.get(coordinate) ?? typeWeight;
    const children = node.selectionSet ? this.selectionSet(node.selectionSet, returnType, childSized) : 0;
    const each = ownWeight + children;

    if (!isListType(getNullableType(definition.type))) return clamp(argumentCost + each);
    const size = sized.get(name) ?? (listSize?.sizedFields ? undefined : slice) ?? listSize?.assumedSize ?? this.defaultListSize;
    return clamp(argumentCost + size * each);
  }

  /** The largest slicing argument given (a literal or a variable), or undefined when none is. */
  private slicingValue(names: readonly string[] | undefined, args: Record<string, unknown>): number | undefined {
    let value: number | undefined;
    for (const name of names ?? []) {
      const given = args[name];
      if (typeof given === "number" && Number.isFinite(given)) value = Math.max(value ?? 0, given);
    }
    return value;
  }

  /** Argument values of one field: literals, variables, then the schema's defaults. */
  private argumentValues(node: FieldNode, definition: GraphQLField<unknown, unknown>): Record<string, unknown> {
    const variables = this.options.variables ?? {};
    const values: Record<string, unknown> = {};
    for (const arg of definition.args) if (arg.defaultValue !== undefined) values[arg.name] = arg.defaultValue;
    for (const arg of node.arguments ?? []) values[arg.name.value] = valueFromASTUntyped(arg.value, variables);
    return values;
  }
}
