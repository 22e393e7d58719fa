import {
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** The static shape of one operation, with fragments expanded (but each fragment measured only once). */
export interface OperationMeasurements {
  /** Deepest field nesting; root fields are depth 0. Introspection (`__…`) and ignored fields are not counted. */
  depth: number;
  /** Distinct fields (`Type.field` coordinates; the same field under two aliases counts once). */
  height: number;
  /** Aliased field selections, counting each use of a fragment. */
  aliases: number;
  /** Fields selected at the root of the operation. */
  rootFields: number;
  /** Directive applications, counting each use of a fragment. */
  directives: number;
  /** Field selections as the executor would see them: every fragment spread expanded. */
  selections: number;
}

/** Fields whose subtree the depth does not count: a name, a pattern or a predicate on the field name. */
export type DepthIgnore = string | RegExp | ((fieldName: string) => boolean);

export interface MeasureOperationOptions {
  /** Which operation of the document; without it, the document's only operation (or the largest of all). */
  operationName?: string | null | undefined;
  /** Gives `height` real `Type.field` coordinates; without it, fields are told apart by their path of types as written. */
  schema?: GraphQLSchema | undefined;
  /** Fields whose subtrees are not counted in `depth`. @default [] */
  ignore?: readonly DepthIgnore[];
}

/** Counts of one selection set or fragment, relative to where it is used. */
interface Shape {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  selections: number;
  coordinates: ReadonlySet<string>;
}

/** Expanded counts can grow exponentially (fragment bombs): clamp instead of overflowing to Infinity. */
const CAP = Number.MAX_SAFE_INTEGER;
const add = (a: number, b: number): number => Math.min(CAP, a + b);
const EMPTY: Shape = { depth: 0, aliases: 0, rootFields: 0, directives: 0, selections: 0, coordinates: new Set() };

/**
 * Measures an operation in time linear in the size of the document, however its fragments nest or repeat: each
 * fragment is measured once and its counts are reused at every spread (graphql-depth-limit walks every spread
 * again, which is exponential on fragment bombs, and overflows the stack on fragment cycles). Cycles and unknown
 * fragments count as empty; graphql's validation reports them.
 */
export function measureOperation(document: DocumentNode, options: MeasureOperationOptions = {}): OperationMeasurements {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measurer = new Measurer(fragments, options);

  const chosen = selectOperations(operations, options.operationName);
  let result: OperationMeasurements = { depth: 0, height: 0, aliases: 0, rootFields: 0, directives: 0, selections: 0 };
  for (const operation of chosen) {
    const rootType = options.schema?.getRootType(operation.operation)?.name ?? operation.operation;
    const shape = measurer.selectionSet(operation.selectionSet, rootType);
    const measured: OperationMeasurements = {
      depth: shape.depth,
      height: shape.coordinates.size,
      aliases: shape.aliases,
      rootFields: shape.rootFields,
      directives: add(shape.directives, operation.directives?.length ?? 0),
      selections: shape.selections,
    };
    result = maxOf(result, measured);
  }
  return result;
}

/** The named operation; else every operation (the router refuses unknown names later, but limits come first). */
function selectOperations(
  operations: OperationDefinitionNode[],
  name: string | null | undefined,
): OperationDefinitionNode[] {
  if (name) {
    const named = operations.filter((o) => o.name?.value === name);
    if (named.length > 0) return named;
  }
  return operations;
}

function maxOf(a: OperationMeasurements, b: OperationMeasurements): OperationMeasurements {
  return {
    depth: Math.max(a.depth, b.depth),
    height: Math.max(a.height, b.height),
    aliases: Math.max(a.aliases, b.aliases),
    rootFields: Math.max(a.rootFields, b.rootFields),
    directives: Math.max(a.directives, b.directives),
    selections: Math.max(a.selections, b.selections),
  };
}

class Measurer {
  private readonly done = new Map<string, Shape>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly options: MeasureOperationOptions,
  ) {}

  /** A fragment's shape, computed on first use; a fragment reached again while being measured (a cycle) is empty. */
  fragment(name: string): Shape {
    const known = this.done.get(name);
    if (known) return known;
    const definition = this.fragments.get(name);
    if (!definition || this.visiting.has(name)) return EMPTY;
    this.visiting.add(name);
    const shape = this.selectionSet(
      definition.selectionSet,
      definition.typeCondition.name.value,
      definition.directives,
    );
    this.visiting.delete(name);
    this.done.set(name, shape);
    return shape;
  }

  selectionSet(set: SelectionSetNode, parentType: string, ownDirectives: readonly DirectiveNode[] = []): Shape {
    let depth = 0;
    let aliases = 0;
    let rootFields = 0;
    let directives = ownDirectives.length;
    let selections = 0;
    const coordinates = new Set<string>();
    const merge = (shape: Shape): void => {
      depth = Math.max(depth, shape.depth);
      aliases = add(aliases, shape.aliases);
      rootFields = add(rootFields, shape.rootFields);
      directives = add(directives, shape.directives);
      selections = add(selections, shape.selections);
      for (const c of shape.coordinates) coordinates.add(c);
    };

    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        directives = add(directives, selection.directives?.length ?? 0);
        merge(this.fragment(selection.name.value));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition?.name.value ?? parentType;
        merge(this.selectionSet(selection.selectionSet, type, selection.directives));
      } else {
        const name = selection.name.value;
        selections = add(selections, 1);
        rootFields = add(rootFields, 1);
        if (selection.alias) aliases = add(aliases, 1);
        directives = add(directives, selection.directives?.length ?? 0);
        coordinates.add(`${parentType}.${name}`);
        if (!selection.selectionSet) continue;
        const child = this.selectionSet(selection.selectionSet, this.fieldType(parentType, name));
        // Nested fields are not root fields; everything else of the child counts.
        merge({ ...child, rootFields: 0, depth: this.ignored(name) ? 0 : child.depth + 1 });
      }
    }
    return { depth, aliases, rootFields, directives, selections, coordinates };
  }

  private ignored(name: string): boolean {
    if (name.startsWith("__")) return true;
    return (this.options.ignore ?? []).some((rule) =>
      typeof rule === "string" ? rule === name : rule instanceof RegExp ? rule.test(name) : rule(name),
    );
  }

  /** The named return type of `parent.name`, or a path-like stand-in when the schema does not know it. */
  private fieldType(parent: string, name: string): string {
    const type = this.options.schema?.getType(parent);
    if (type && (isObjectType(type) || isInterfaceType(type))) {
      const field = type.getFields()[name];
      if (field) return getNamedType(field.type).name;
    }
    return `${parent}.${name}`;
  }
}
