import { buildSubgraphSchema } from "@apollo/subgraph";
import {
  Kind,
  Source,
  execute,
  getNamedType,
  parse,
  print,
  typeFromAST,
  isInputObjectType,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type Location,
  type TypeNode,
} from "graphql";
import { displayPath, type SubgraphSource } from "./compose.js";
import type { Finding } from "./result.js";

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
/** What federation adds to every subgraph: not the subgraph author's to document or name. */
const machinery = (name: string) =>
  /^(link__|federation__|join__)/.test(name) || ["_Any", "_Service", "_Entity", "_FieldSet"].includes(name);

/**
 * Per-subgraph hygiene: the served `_service { sdl }` equals schema.graphql (errors), every type, field, argument and
 * enum value outside `@inaccessible` has a description (errors), and the naming conventions hold (warnings).
 */
export function checkSubgraphHygiene(subgraph: SubgraphSource): Finding[] {
  const file = displayPath(subgraph.schemaPath);
  let document: DocumentNode;
  try {
    document = parse(new Source(subgraph.sdl, file));
  } catch (error) {
    return [{ level: "error", message: `${subgraph.name}: ${file} does not parse`, details: [String(error)] }];
  }
  const findings: Finding[] = [];
  const served = serviceSdl(document);
  if (!served.ok)
    findings.push({
      level: "error",
      message: `${subgraph.name}: ${file} is not a valid subgraph schema`,
      details: [served.error],
    });
  else {
    const differing = differingDefinitions(parse(served.sdl), document);
    if (differing.length > 0) {
      findings.push({
        level: "error",
        message: `${subgraph.name}: the served _service { sdl } differs from ${file}`,
        details: differing.map((d) => `${d} is not served as written`),
      });
    }
  }
  const undocumented = undocumentedElements(document);
  if (undocumented.length > 0) {
    findings.push({
      level: "error",
      message: `${subgraph.name}: ${undocumented.length} public element(s) without a description`,
      details: undocumented.map(([coordinate, at]) => `${at}: ${coordinate}`),
    });
  }
  const naming = namingProblems(document, served.ok ? served.schema : undefined);
  if (naming.length > 0) {
    findings.push({
      level: "warning",
      message: `${subgraph.name}: ${naming.length} naming convention issue(s)`,
      details: naming.map(([m, at]) => `${at}: ${m}`),
    });
  }
  return findings;
}

/** What the subgraph serves as `_service { sdl }`, built in-process the way every subgraph server builds its schema. */
function serviceSdl(
  document: DocumentNode,
): { ok: true; sdl: string; schema: GraphQLSchema } | { ok: false; error: string } {
  try {
    const schema = buildSubgraphSchema({ typeDefs: document });
    const result = execute({ schema, document: parse("{ _service { sdl } }") });
    const sdl = (result as { data?: { _service?: { sdl?: unknown } } }).data?._service?.sdl;
    if (typeof sdl !== "string") return { ok: false, error: "_service { sdl } returned no SDL" };
    return { ok: true, sdl, schema };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Definitions (by kind and name) that differ between the served SDL and the file, ignoring federation's additions
 * and formatting (locations, block or quoted descriptions).
 */
export function differingDefinitions(served: DocumentNode, file: DocumentNode): string[] {
  const own = (document: DocumentNode) => {
    const map = new Map<string, string>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
      if (definition.kind === Kind.SCHEMA_EXTENSION) {
        map.set("extend schema", print(definition));
        continue;
      }
      if (!("name" in definition) || !definition.name || machinery(definition.name.value)) continue;
      let kept: DefinitionNode = definition;
      if (
        (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        definition.name.value === "Query"
      ) {
        kept = {
          ...definition,
          fields: definition.fields?.filter((f) => f.name.value !== "_entities" && f.name.value !== "_service"),
        };
      }
      // "ObjectTypeExtension Query", numbered when a type is extended more than once.
      const key = `${definition.kind} ${definition.name.value}`;
      let unique = key;
      for (let n = 2; map.has(unique); n += 1) unique = `${key} #${n}`;
      map.set(unique, print(stripLocations(kept)));
    }
    return map;
  };
  const a = own(served);
  const b = own(file);
  return [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort();
}

function stripLocations<T>(node: T): T {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) => (key === "loc" || key === "block" ? undefined : value)),
  ) as T;
}

const at = (loc: Location | undefined, file: string) =>
  loc ? `${file}:${loc.startToken.line}:${loc.startToken.column}` : file;
const inaccessible = (directives: readonly DirectiveNode[] | undefined) =>
  (directives ?? []).some((d) => /(^|__)inaccessible$/.test(d.name.value));

function undocumentedElements(document: DocumentNode): [string, string][] {
  const file = document.loc?.source.name ?? "schema.graphql";
  const missing: [string, string][] = [];
  for (const definition of document.definitions) {
    if (
      !("name" in definition) ||
      !definition.name ||
      machinery(definition.name.value) ||
      definition.kind === Kind.DIRECTIVE_DEFINITION
    )
      continue;
    if (inaccessible(definition.directives)) continue;
    const typeName = definition.name.value;
    const isExtension = definition.kind.endsWith("Extension");
    if (!isExtension && !("description" in definition && definition.description))
      missing.push([`type ${typeName}`, at(definition.loc, file)]);
    const members = [
      ...("fields" in definition ? (definition.fields ?? []) : []),
      ...("values" in definition ? (definition.values ?? []) : []),
    ];
    for (const member of members) {
      if (inaccessible(member.directives)) continue;
      const coordinate = `${typeName}.${member.name.value}`;
      if (!member.description) missing.push([coordinate, at(member.loc, file)]);
      for (const arg of "arguments" in member ? (member.arguments ?? []) : []) {
        if (!inaccessible(arg.directives) && !arg.description)
          missing.push([`${coordinate}(${arg.name.value}:)`, at(arg.loc, file)]);
      }
    }
  }
  return missing;
}

function namingProblems(document: DocumentNode, schema: GraphQLSchema | undefined): [string, string][] {
  const file = document.loc?.source.name ?? "schema.graphql";
  const problems: [string, string][] = [];
  const mutationType = schema?.getMutationType()?.name ?? "Mutation";
  for (const definition of document.definitions) {
    if (
      !("name" in definition) ||
      !definition.name ||
      machinery(definition.name.value) ||
      definition.kind === Kind.DIRECTIVE_DEFINITION
    )
      continue;
    const typeName = definition.name.value;
    if (!PASCAL.test(typeName)) problems.push([`type ${typeName} should be PascalCase`, at(definition.loc, file)]);
    for (const value of "values" in definition ? (definition.values ?? []) : []) {
      if (!SCREAMING_SNAKE.test(value.name.value))
        problems.push([
          `enum value ${typeName}.${value.name.value} should be SCREAMING_SNAKE_CASE`,
          at(value.loc, file),
        ]);
    }
    for (const field of "fields" in definition ? (definition.fields ?? []) : []) {
      const coordinate = `${typeName}.${field.name.value}`;
      if (!CAMEL.test(field.name.value))
        problems.push([`field ${coordinate} should be camelCase`, at(field.loc, file)]);
      const args = "arguments" in field ? (field.arguments ?? []) : [];
      for (const arg of args) {
        if (!CAMEL.test(arg.name.value))
          problems.push([`argument ${coordinate}(${arg.name.value}:) should be camelCase`, at(arg.loc, file)]);
      }
      if (typeName !== mutationType || !("arguments" in field)) continue;
      const pascal = field.name.value.charAt(0).toUpperCase() + field.name.value.slice(1);
      for (const arg of args) {
        const named = namedTypeName(arg.type);
        const type = schema ? typeFromAST(schema, arg.type) : undefined;
        const isInput = type ? isInputObjectType(getNamedType(type)) : named.endsWith("Input");
        if (isInput && named !== `${pascal}Input`)
          problems.push([
            `mutation ${field.name.value} takes ${named}; name its input ${pascal}Input`,
            at(arg.loc, file),
          ]);
      }
      const returned = namedTypeName(field.type);
      if (returned !== `${pascal}Payload`)
        problems.push([
          `mutation ${field.name.value} returns ${returned}; return ${pascal}Payload`,
          at(field.loc, file),
        ]);
    }
  }
  return problems;
}

function namedTypeName(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeName(type.type);
}
