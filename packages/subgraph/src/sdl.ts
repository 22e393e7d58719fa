import { Kind, parse, print, type DefinitionNode, type DocumentNode } from "graphql";

const FEDERATION_DIRECTIVES = new Set([
  ...[
    "link",
    "key",
    "shareable",
    "inaccessible",
    "tag",
    "external",
    "requires",
    "provides",
    "override",
    "extends",
    "composeDirective",
    "interfaceObject",
  ],
  ...["authenticated", "requiresScopes", "policy", "context", "fromContext", "cost", "listSize"],
]);
const isFederationName = (name: string) => /^(link__|federation__|_Any$|_Entity$|_Service$)/.test(name);

/**
 * The served SDL minus what buildSubgraphSchema adds by definition (the link schema definition,
 * federation's directive and scalar definitions, _Entity, _Service, Query._entities/_service).
 */
function withoutFederationAdditions(document: DocumentNode): DocumentNode {
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION) continue;
    if (
      definition.kind === Kind.DIRECTIVE_DEFINITION &&
      (FEDERATION_DIRECTIVES.has(definition.name.value) || isFederationName(definition.name.value))
    )
      continue;
    if (
      "name" in definition &&
      definition.name &&
      definition.kind !== Kind.DIRECTIVE_DEFINITION &&
      isFederationName(definition.name.value)
    )
      continue;
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === "Query") {
      definitions.push({
        ...definition,
        fields: definition.fields?.filter((field) => !["_entities", "_service"].includes(field.name.value)),
      });
      continue;
    }
    definitions.push(definition);
  }
  return { ...document, definitions };
}

/**
 * The served SDL (`_service { sdl }`) normalized for comparing with schema.graphql through `print(parse(file))`:
 * both printed through the same parser and printer, so only formatting is ignored, never content or order.
 */
export function normalizedServedSdl(served: string): string {
  return print(withoutFederationAdditions(parse(served)));
}

/** Every type, field, argument and input field without a description. */
export function undocumented(sdl: string): string[] {
  const missing: string[] = [];
  for (const definition of parse(sdl).definitions) {
    if (!("name" in definition) || !definition.name) continue;
    const type = definition.name.value;
    if (!("description" in definition) || !definition.description) missing.push(type);
    const fields = "fields" in definition && definition.fields ? definition.fields : [];
    for (const field of fields) {
      if (!field.description) missing.push(`${type}.${field.name.value}`);
      for (const arg of "arguments" in field ? (field.arguments ?? []) : [])
        if (!arg.description) missing.push(`${type}.${field.name.value}(${arg.name.value})`);
    }
    for (const value of "values" in definition && definition.values ? definition.values : [])
      if (!value.description) missing.push(`${type}.${value.name.value}`);
  }
  return missing;
}
