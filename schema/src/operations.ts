import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  Kind,
  Source,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  parse,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { schemaWithDefer } from "@commerce/analysis";
import { displayPath, repoRoot } from "./compose.js";

/** The client operations folder: the frontends' contract and the persisted-query manifest source. */
export const operationsDir = join(repoRoot, "operations");

/** One named client operation, with the fragments it uses from its file. */
export interface ClientOperation {
  name: string;
  kind: "query" | "mutation" | "subscription";
  /** Path relative to the repository root. */
  file: string;
  /** The operation and the fragments it spreads: the persisted document. */
  document: DocumentNode;
}

export interface OperationFile {
  /** Path relative to the repository root (used in messages). */
  path: string;
  source: string;
}

export interface LoadedOperations {
  operations: ClientOperation[];
  /** Files that do not parse, anonymous operations, duplicate names, unknown fragments. */
  problems: string[];
}

/** Reads every `*.graphql` file under `dir` (recursively). A missing folder means no operations. */
export async function readOperationFiles(dir = operationsDir): Promise<OperationFile[]> {
  const entries = await readdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const files = entries.filter((entry) => entry.endsWith(".graphql")).sort();
  return Promise.all(
    files.map(async (file) => ({
      path: displayPath(join(dir, file)),
      source: await readFile(join(dir, file), "utf8"),
    })),
  );
}

/** Parses operation files into one document per named operation (fragments come from the same file). */
export function parseOperations(files: readonly OperationFile[]): LoadedOperations {
  const operations: ClientOperation[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let document: DocumentNode;
    try {
      document = parse(new Source(file.source, file.path));
    } catch (error) {
      problems.push(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const line = definition.loc ? definition.loc.startToken.line : 1;
      const name = definition.name?.value;
      if (!name) {
        problems.push(
          `${file.path}:${line}: anonymous ${definition.operation}; client operations need a unique name (the persisted-query id)`,
        );
        continue;
      }
      const earlier = seen.get(name);
      if (earlier) {
        problems.push(
          `${file.path}:${line}: operation name "${name}" is already used in ${earlier}; names must be unique`,
        );
        continue;
      }
      seen.set(name, `${file.path}:${line}`);
      const { used, missing } = fragmentsOf(definition, fragments);
      for (const fragment of missing)
        problems.push(`${file.path}:${line}: operation "${name}" spreads unknown fragment "${fragment}"`);
      operations.push({
        name,
        kind: definition.operation,
        file: file.path,
        document: { kind: Kind.DOCUMENT, definitions: [definition, ...used] },
      });
    }
  }
  return { operations, problems };
}

function fragmentsOf(operation: OperationDefinitionNode, all: ReadonlyMap<string, FragmentDefinitionNode>) {
  const used = new Map<string, FragmentDefinitionNode>();
  const missing = new Set<string>();
  const stack: SelectionSetNode[] = [operation.selectionSet];
  for (let set = stack.pop(); set; set = stack.pop()) {
    for (const selection of set.selections) {
      if (selection.kind !== Kind.FRAGMENT_SPREAD) {
        if (selection.selectionSet) stack.push(selection.selectionSet);
        continue;
      }
      const name = selection.name.value;
      const fragment = all.get(name);
      if (!fragment) missing.add(name);
      else if (!used.has(name)) {
        used.set(name, fragment);
        stack.push(fragment.selectionSet);
      }
    }
  }
  return { used: [...used.values()], missing: [...missing] };
}

/**
 * graphql's validation errors of an operation against a schema as the router serves it (with `@defer`), each with
 * `file:line:column`.
 */
export function validateOperation(schema: GraphQLSchema, operation: ClientOperation): string[] {
  // graphql-js validation passes a subscription (or mutation) vacuously on a schema without that root type.
  const missingRoots = operation.document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && !schema.getRootType(definition.operation)
      ? [`${operation.file}: the schema has no ${definition.operation} type`]
      : [],
  );
  return [
    ...missingRoots,
    ...validate(schemaWithDefer(schema), operation.document).map(
      (error) => `${locationOf(error, operation.file)}: ${error.message}`,
    ),
  ];
}

function locationOf(error: GraphQLError, file: string): string {
  const location = error.locations?.[0];
  return location ? `${file}:${location.line}:${location.column}` : file;
}

/**
 * The schema coordinates an operation relies on, in graphql-inspector's path format: types (`Product`), fields
 * (`Product.price`), arguments it passes (`Query.products.first`), input fields and enum values it writes
 * (`ProductFilter.search`, `Role.STAFF`). A variable of an input type relies on every field and enum value reachable
 * from it, since the client may send any of them.
 */
export function usedCoordinates(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const useInputType = (type: GraphQLNamedType, seen = new Set<string>()): void => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    used.add(type.name);
    if (isEnumType(type)) for (const value of type.getValues()) used.add(`${type.name}.${value.name}`);
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        used.add(`${type.name}.${field.name}`);
        useInputType(getNamedType(field.type), seen);
      }
    }
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        used.add(parent.name);
        used.add(`${parent.name}.${node.name.value}`);
        used.add(getNamedType(field.type).name);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        used.add(`${parent.name}.${field.name}.${node.name.value}`);
        used.add(getNamedType(argument.type).name);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent ? getNamedType(parent) : undefined;
        if (!named || !isInputObjectType(named)) return;
        used.add(`${named.name}.${node.name.value}`);
        const field = named.getFields()[node.name.value];
        if (field) used.add(getNamedType(field.type).name);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named) used.add(`${named.name}.${node.value}`);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) useInputType(getNamedType(type));
      },
      InlineFragment(node) {
        if (node.typeCondition) used.add(node.typeCondition.name.value);
      },
      FragmentDefinition(node) {
        used.add(node.typeCondition.name.value);
      },
    }),
  );
  return used;
}
