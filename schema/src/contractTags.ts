import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type SchemaDefinitionNode,
  type TypeNode,
} from "graphql";

const INACCESSIBLE_URL = "https://specs.apollo.dev/inaccessible/v0.2";
const INACCESSIBLE_LOCATIONS =
  "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION";

export type TaggedSupergraph =
  { ok: true; supergraphSdl: string; excluded: string[] } | { ok: false; errors: string[] };

type Named = { name: { value: string }; directives?: readonly DirectiveNode[] | undefined };

/**
 * Marks `@inaccessible` every supergraph element tagged with one of `excludeTags`, plus what can no longer exist
 * without it: fields returning an excluded type, optional arguments and input fields of an excluded type, and
 * types whose every field or member is excluded. A required argument or input field of an excluded type is an error.
 */
export function tagContractExclusions(supergraphSdl: string, excludeTags: readonly string[]): TaggedSupergraph {
  const document = parse(supergraphSdl);
  const schemaDefinition = document.definitions.find(
    (d): d is SchemaDefinitionNode => d.kind === Kind.SCHEMA_DEFINITION,
  );
  const tagName = linkedName(schemaDefinition, /^https:\/\/specs\.apollo\.dev\/tag\/v/, "tag");
  const existingInaccessible = linkedName(
    schemaDefinition,
    /^https:\/\/specs\.apollo\.dev\/inaccessible\/v/,
    undefined,
  );
  const inaccessibleName = existingInaccessible ?? "inaccessible";

  const excluded = new Set<string>();
  const hides = (node: Named) =>
    (node.directives ?? []).some(
      (d) =>
        d.name.value === inaccessibleName ||
        (d.name.value === tagName &&
          d.arguments?.some(
            (a) => a.name.value === "name" && a.value.kind === Kind.STRING && excludeTags.includes(a.value.value),
          )),
    );

  const types = document.definitions.filter(isTypeDefinition);
  for (const type of types) {
    const typeName = type.name.value;
    if (hides(type)) excluded.add(typeName);
    for (const member of membersOf(type)) {
      if (hides(member)) excluded.add(`${typeName}.${member.name.value}`);
      for (const arg of "arguments" in member ? (member.arguments ?? []) : []) {
        if (hides(arg)) excluded.add(`${typeName}.${member.name.value}(${arg.name.value}:)`);
      }
    }
  }

  const errors = propagate(types, excluded);
  if (errors.length > 0) return { ok: false, errors };
  if (excluded.size === 0) return { ok: true, supergraphSdl, excluded: [] };

  const inaccessible: ConstDirectiveNode = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: inaccessibleName } };
  const mark = <T extends Named>(node: T, coordinate: string): T =>
    excluded.has(coordinate) && !node.directives?.some((d) => d.name.value === inaccessibleName)
      ? { ...node, directives: [...(node.directives ?? []), inaccessible] }
      : node;

  let marked = document.definitions.map((definition): DefinitionNode => {
    if (!isTypeDefinition(definition)) return definition;
    const typeName = definition.name.value;
    const type = mark(definition, typeName);
    if ("fields" in type && type.fields) {
      const fields = (type.fields as readonly FieldLike[]).map((field) => {
        const coordinate = `${typeName}.${field.name.value}`;
        const args = field.arguments?.map((arg) => mark(arg, `${coordinate}(${arg.name.value}:)`));
        return mark(args ? { ...field, arguments: args } : field, coordinate);
      });
      return { ...type, fields } as unknown as DefinitionNode;
    }
    if ("values" in type && type.values)
      return { ...type, values: type.values.map((v) => mark(v, `${typeName}.${v.name.value}`)) };
    return type;
  });
  if (!existingInaccessible) marked = withInaccessibleSpec(marked);
  return {
    ok: true,
    supergraphSdl: print({ ...document, definitions: marked } as DocumentNode),
    excluded: [...excluded].sort(),
  };
}

/** Applies the consequences of the exclusions until nothing changes. Returns contract errors. */
function propagate(types: readonly TypeDefinition[], excluded: Set<string>): string[] {
  const errors = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    const add = (coordinate: string) => {
      if (excluded.has(coordinate)) return;
      excluded.add(coordinate);
      changed = true;
    };
    for (const type of types) {
      const typeName = type.name.value;
      if (excluded.has(typeName)) continue;
      const members = membersOf(type);
      for (const member of members) {
        const coordinate = `${typeName}.${member.name.value}`;
        if (excluded.has(coordinate)) continue;
        if (type.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
          const field = member as InputValue;
          if (!excluded.has(namedType(field.type))) continue;
          if (required(field)) errors.add(requiredMessage(`input field ${coordinate}`, field));
          else add(coordinate);
          continue;
        }
        if (!("type" in member)) continue;
        if (excluded.has(namedType(member.type))) {
          add(coordinate);
          continue;
        }
        for (const arg of "arguments" in member ? (member.arguments ?? []) : []) {
          const argCoordinate = `${coordinate}(${arg.name.value}:)`;
          if (excluded.has(argCoordinate) || !excluded.has(namedType(arg.type))) continue;
          if (required(arg)) errors.add(requiredMessage(`argument ${argCoordinate}`, arg));
          else add(argCoordinate);
        }
      }
      const memberTypes =
        type.kind === Kind.UNION_TYPE_DEFINITION ? (type.types ?? []).map((t) => t.name.value) : undefined;
      const empty = memberTypes
        ? memberTypes.every((t) => excluded.has(t))
        : members.length > 0 && members.every((m) => excluded.has(`${typeName}.${m.name.value}`));
      if (empty && !["Query", "Mutation", "Subscription"].includes(typeName)) add(typeName);
    }
  }
  return [...errors];
}

type TypeDefinition = Extract<DefinitionNode, { kind: (typeof TYPE_KINDS)[number] }>;
type FieldLike = Named & { arguments?: readonly (Named & { kind: Kind })[] | undefined };
type InputValue = { name: { value: string }; type: TypeNode; defaultValue?: unknown };

const TYPE_KINDS = [
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
] as const;

function isTypeDefinition(definition: DefinitionNode): definition is TypeDefinition {
  return (
    (TYPE_KINDS as readonly string[]).includes(definition.kind) &&
    !/^(join__|link__)/.test((definition as TypeDefinition).name.value)
  );
}

function membersOf(type: TypeDefinition) {
  if ("fields" in type) return type.fields ?? [];
  if ("values" in type) return type.values ?? [];
  return [];
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function required(value: InputValue): boolean {
  return value.type.kind === Kind.NON_NULL_TYPE && value.defaultValue === undefined;
}

function requiredMessage(what: string, value: InputValue): string {
  return `${what} is required but its type ${namedType(value.type)} is excluded; exclude the field that takes it too, or make it optional`;
}

/** The local name of the feature linked from `url` (its `as:` or the default), or `fallback` when it is not linked. */
function linkedName(
  schema: SchemaDefinitionNode | undefined,
  url: RegExp,
  fallback: string | undefined,
): string | undefined {
  for (const directive of schema?.directives ?? []) {
    if (directive.name.value !== "link") continue;
    const arg = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
    const linkUrl = arg("url");
    if (linkUrl?.kind !== Kind.STRING || !url.test(linkUrl.value)) continue;
    const as = arg("as");
    return as?.kind === Kind.STRING ? as.value : (/\/([a-z]+)\/v[\d.]+$/.exec(linkUrl.value)?.[1] ?? fallback);
  }
  return fallback;
}

/** Links the inaccessible spec into a supergraph that does not use it yet. */
function withInaccessibleSpec(definitions: DefinitionNode[]): DefinitionNode[] {
  const extra = parse(`
    schema @link(url: "${INACCESSIBLE_URL}", for: SECURITY) { query: Query }
    directive @inaccessible on ${INACCESSIBLE_LOCATIONS}
  `).definitions;
  const [link] = (extra[0] as SchemaDefinitionNode).directives ?? [];
  return [
    ...definitions.map((d) =>
      d.kind === Kind.SCHEMA_DEFINITION && link ? { ...d, directives: [...(d.directives ?? []), link] } : d,
    ),
    ...extra.slice(1),
  ];
}
