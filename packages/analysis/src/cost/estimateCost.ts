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

const NO_DIRECTIVES: CostDirectives = {
  fieldWeights: new Map(),
  typeWeights: new Map(),
  argumentWeights: new Map(),
  listSizes: new Map(),
};
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
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const chosen = options.operationName ? operations.filter((o) => o.name?.value === options.operationName) : operations;
  return Math.max(0, ...chosen.map((operation) => estimator.operation(operation)));
}

/** How one field is sized: its arguments, its list size (when it is a list) and the sizes it imposes on its children. */
interface FieldSizing {
  definition: GraphQLField<unknown, unknown>;
  args: Record<string, unknown>;
  /** Items of the list it returns; undefined when it does not return a list. */
  size: number | undefined;
  childSized: Map<string, number>;
}

/** The cost rules over one document; `planCost.ts` reuses them for query plan paths and entity fetches. */
export class Estimator {
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

  /**
   * What resolving one entity representation of `typeName` costs a subgraph: the type's weight (1 by default) plus
   * the own weight of each field selected directly on it (`@cost`, its type's weight, weighted arguments). What those
   * fields select below them is not counted again: the operation's estimate already has it.
   */
  representation(typeName: string, set: SelectionSetNode): number {
    const type = this.schema.getType(typeName);
    if (!type) return 1;
    return clamp((this.directives.typeWeights.get(typeName) ?? 1) + this.ownWeights(set, type, new Set()));
  }

  private ownWeights(set: SelectionSetNode, parent: GraphQLNamedType, seen: Set<string>): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const sizing = this.sizing(selection, parent, new Map());
        if (sizing)
          total +=
            this.argumentCost(selection, parent, sizing) +
            this.ownWeight(`${parent.name}.${selection.name.value}`, getNamedType(sizing.definition.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        if (type) total += this.ownWeights(selection.selectionSet, type, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const definition = this.fragments.get(selection.name.value);
        const type = definition && this.schema.getType(definition.typeCondition.name.value);
        if (definition && type) total += this.ownWeights(definition.selectionSet, type, seen);
      }
    }
    return clamp(total);
  }

  /**
   * How many items a response path (`["products", "edges", "@", "node"]`, `@` for list items) reaches in the
   * worst case: the product of the estimated sizes of the lists it crosses. A segment that names no selection of
   * the operation (it cannot be sized) counts as a list of the default size.
   */
  itemsAlong(operation: OperationDefinitionNode, path: readonly (string | number)[]): number {
    const root = this.schema.getRootType(operation.operation);
    let level: { set: SelectionSetNode; type: GraphQLNamedType; sized: ReadonlyMap<string, number> }[] = root
      ? [{ set: operation.selectionSet, type: root, sized: new Map() }]
      : [];
    let items = 1;
    let pending: number | undefined;
    for (const raw of path) {
      // Type-conditioned fetching writes `name|[A,B]`; the condition does not change the size.
      const segment = String(raw).replace(/\|\[.*\]$/, "");
      if (segment === "@") {
        items = clamp(items * (pending ?? this.defaultListSize));
        pending = undefined;
        continue;
      }
      const next: typeof level = [];
      let size: number | undefined;
      for (const { set, type, sized } of level) {
        for (const match of this.fieldsNamed(set, type, segment, new Set())) {
          const sizing = this.sizing(match.node, match.parent, sized);
          if (!sizing) continue;
          if (sizing.size !== undefined) size = Math.max(size ?? 0, sizing.size);
          if (match.node.selectionSet)
            next.push({
              set: match.node.selectionSet,
              type: getNamedType(sizing.definition.type),
              sized: sizing.childSized,
            });
        }
      }
      pending = next.length === 0 && size === undefined ? this.defaultListSize : size;
      level = next;
    }
    return items;
  }

  /** Field selections answering to `responseName` in a selection set, through fragments and inline fragments. */
  private fieldsNamed(
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    responseName: string,
    seen: Set<string>,
  ): { node: FieldNode; parent: GraphQLNamedType }[] {
    const found: { node: FieldNode; parent: GraphQLNamedType }[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if ((selection.alias ?? selection.name).value === responseName) found.push({ node: selection, parent });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        if (type) found.push(...this.fieldsNamed(selection.selectionSet, type, responseName, seen));
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const definition = this.fragments.get(selection.name.value);
        const type = definition && this.schema.getType(definition.typeCondition.name.value);
        if (definition && type) found.push(...this.fieldsNamed(definition.selectionSet, type, responseName, seen));
      }
    }
    return found;
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

  private sizing(
    node: FieldNode,
    parent: GraphQLNamedType,
    sized: ReadonlyMap<string, number>,
  ): FieldSizing | undefined {
    const name = node.name.value;
    if (name.startsWith("__") || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
    const definition = parent.getFields()[name];
    if (!definition) return undefined;
    const args = this.argumentValues(node, definition);
    const listSize = this.directives.listSizes.get(`${parent.name}.${name}`);
    const slice = this.slicingValue(listSize?.slicingArguments, args);
    const childSized = new Map<string, number>();
    if (listSize?.sizedFields) {
      for (const sizedField of listSize.sizedFields)
        childSized.set(sizedField, slice ?? listSize.assumedSize ?? this.defaultListSize);
    }
    const size = isListType(getNullableType(definition.type))
      ? (sized.get(name) ??
        (listSize?.sizedFields ? undefined : slice) ??
        listSize?.assumedSize ??
        this.defaultListSize)
      : undefined;
    return { definition, args, size, childSized };
  }

  private field(node: FieldNode, parent: GraphQLNamedType, sized: ReadonlyMap<string, number>): number {
    const sizing = this.sizing(node, parent, sized);
    if (!sizing) return 0;
    const returnType = getNamedType(sizing.definition.type);
    const children = node.selectionSet ? this.selectionSet(node.selectionSet, returnType, sizing.childSized) : 0;
    const each = this.ownWeight(`${parent.name}.${node.name.value}`, returnType) + children;
    return clamp(this.argumentCost(node, parent, sizing) + (sizing.size ?? 1) * each);
  }

  /** `@cost` on the field, else on its type, else 1 for an object and 0 for a scalar or enum. */
  private ownWeight(coordinate: string, returnType: GraphQLNamedType): number {
    return (
      this.directives.fieldWeights.get(coordinate) ??
      this.directives.typeWeights.get(returnType.name) ??
      (isCompositeType(returnType) ? 1 : 0)
    );
  }

  /** The weights of the `@cost`-weighted arguments the field is given. */
  private argumentCost(node: FieldNode, parent: GraphQLNamedType, { definition, args }: FieldSizing): number {
    let cost = 0;
    for (const arg of definition.args) {
      const weight = this.directives.argumentWeights.get(`${parent.name}.${node.name.value}(${arg.name}:)`);
      if (weight !== undefined && args[arg.name] !== undefined) cost += weight;
    }
    return cost;
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
