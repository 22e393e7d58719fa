import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";

/** At most this many errors for one failed fetch: one per entity and field, then the rest of the entities get none. */
export const MAX_ERRORS_PER_FETCH = 100;

const keysByDocument = new WeakMap<DocumentNode, readonly string[]>();

/**
 * The response paths a failed fetch leaves null, in the form the gateway maps onto the client's response: for an
 * `_entities` fetch `["_entities", i, field]` per representation and selected field (the gateway turns
 * `_entities, i` into the entity's path, e.g. `products.edges.0.node`), for a root fetch `[field]` per root field.
 * So every field the failed subgraph would have resolved carries its error, as a client expects of a null field.
 */
export function failedPaths(
  document: DocumentNode | undefined,
  query: string | undefined,
  representations: number | undefined,
): (string | number)[][] {
  const keys = responseKeys(document, query);
  if (representations === undefined) return keys.map((key) => [key]);
  const paths: (string | number)[][] = [];
  for (let i = 0; i < representations && paths.length < MAX_ERRORS_PER_FETCH; i += 1) {
    for (const key of keys.length > 0 ? keys : [undefined]) {
      paths.push(key === undefined ? ["_entities", i] : ["_entities", i, key]);
      if (paths.length >= MAX_ERRORS_PER_FETCH) break;
    }
  }
  return paths;
}

/** Response keys of the fetch's top level: root fields, or the fields selected on the entities of `_entities`. */
function responseKeys(document: DocumentNode | undefined, query: string | undefined): readonly string[] {
  const doc = document ?? (query ? safeParse(query) : undefined);
  if (!doc) return [];
  const cached = keysByDocument.get(doc);
  if (cached) return cached;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let root: SelectionSetNode | undefined;
  for (const definition of doc.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) root ??= definition.selectionSet;
  }
  const keys = new Set<string>();
  const collect = (set: SelectionSetNode, entities: boolean): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, entities);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet, entities);
      } else if (!entities && selection.name.value === "_entities" && selection.selectionSet)
        collect(selection.selectionSet, true);
      else if (selection.name.value !== "__typename") keys.add(selection.alias?.value ?? selection.name.value);
    }
  };
  if (root) collect(root, false);
  const result = [...keys];
  keysByDocument.set(doc, result);
  return result;
}

function safeParse(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}
