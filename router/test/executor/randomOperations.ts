import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  print,
  validate,
  type ArgumentNode,
  type DefinitionNode,
  type DirectiveNode,
  type InlineFragmentNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";

/** A deterministic pseudo-random source (mulberry32), so a failing operation can be reproduced from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

export interface GeneratedOperation {
  seed: number;
  query: string;
  variables: Record<string, unknown>;
}

/**
 * Valid random operations over an API schema: nested selections with aliases, `__typename`, inline fragments on
 * the possible types of abstract types, named fragments, fields selected twice (merged), and @skip/@include on
 * variables (given, omitted so the default applies, or literal). Operations the schema rejects are dropped.
 */
export function randomOperations(
  schema: GraphQLSchema,
  { count, seed = 1, maxDepth = 4 }: { count: number; seed?: number; maxDepth?: number },
): GeneratedOperation[] {
  const operations: GeneratedOperation[] = [];
  for (let attempt = 0; operations.length < count && attempt < count * 5; attempt++) {
    const operationSeed = seed * 100_000 + attempt;
    const generated = generate(schema, operationSeed, maxDepth);
    if (generated && validate(schema, parse(generated.query)).length === 0) operations.push(generated);
  }
  return operations;
}

function generate(schema: GraphQLSchema, seed: number, maxDepth: number): GeneratedOperation | undefined {
  const rng = random(seed);
  const root = rng.chance(0.1) ? schema.getMutationType() : schema.getQueryType();
  if (!root) return undefined;
  const flags: string[] = [];
  const variables: Record<string, unknown> = {};
  const fragments: string[] = [];
  let aliases = 0;

  const directive = (): string => {
    if (!rng.chance(0.15)) return "";
    const kind = rng.pick(["skip", "include"]);
    if (rng.chance(0.2)) return ` @${kind}(if: ${rng.chance(0.5)})`;
    const name = `f${flags.length}`;
    const withDefault = rng.chance(0.4);
    flags.push(withDefault ? `$${name}: Boolean = ${rng.chance(0.5)}` : `$${name}: Boolean!`);
    if (!withDefault || rng.chance(0.5)) variables[name] = rng.chance(0.5);
    return ` @${kind}(if: $${name})`;
  };

  const literal = (type: GraphQLInputType, depth = 0): string => {
    if (isNonNullType(type)) return literal(type.ofType, depth);
    if (isListType(type)) return `[${literal(type.ofType, depth)}]`;
    if (isEnumType(type)) return rng.pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter(
        (field) => isNonNullType(field.type) && field.defaultValue === undefined,
      );
      return `{ ${fields.map((field) => `${field.name}: ${depth > 3 ? "null" : literal(field.type, depth + 1)}`).join(", ")} }`;
    }
    if (isScalarType(type)) {
      switch (type.name) {
        case "Int":
          return String(1 + rng.int(4));
        case "Float":
          return "1.5";
        case "Boolean":
          return String(rng.chance(0.5));
        case "DateTime":
          return `"2024-01-0${1 + rng.int(8)}T00:00:00.000Z"`;
        default:
          return `"${type.name.toLowerCase()}-${rng.int(5)}"`;
      }
    }
    return "null";
  };

  const fieldSelection = (field: GraphQLField<unknown, unknown>, depth: number): string => {
    const args = field.args
      .filter((arg) => isNonNullType(arg.type) || rng.chance(0.2))
      .map((arg) => `${arg.name}: ${literal(arg.type)}`);
    const alias = rng.chance(0.2) ? `a${aliases++}: ` : "";
    const named = getNamedType(field.type);
    const inner = isCompositeType(named) ? ` { ${selectionSet(named, depth + 1)} }` : "";
    return `${alias}${field.name}${args.length ? `(${args.join(", ")})` : ""}${directive()}${inner}`;
  };

  const selectionSet = (type: GraphQLNamedType, depth: number): string => {
    const selections: string[] = [];
    if (isObjectType(type) || (isCompositeType(type) && "getFields" in type)) {
      const fields = Object.values(
        (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields(),
      );
      const leaves = fields.filter((field) => !isCompositeType(getNamedType(field.type)));
      const usable = depth >= maxDepth ? leaves : fields;
      const count = 1 + rng.int(Math.min(4, Math.max(1, usable.length)));
      for (let index = 0; index < count && usable.length > 0; index++) {
        const field = rng.pick(usable);
        const selection = fieldSelection(field, depth);
        selections.push(selection);
        // The same field again (merged with the first), sometimes with a different sub-selection.
        if (rng.chance(0.08) && !selection.includes(":") && !selection.includes("("))
          selections.push(fieldSelection(field, depth).replace(/^a\d+: /, ""));
      }
    }
    if (rng.chance(0.2) || selections.length === 0)
      selections.push(rng.chance(0.3) ? `kind${aliases++}: __typename` : "__typename");
    if (isAbstractType(type)) {
      for (const possible of schema.getPossibleTypes(type)) {
        if (depth < maxDepth && rng.chance(0.6))
          selections.push(`... on ${possible.name}${directive()} { ${selectionSet(possible, depth + 1)} }`);
      }
    }
    if (depth < maxDepth && rng.chance(0.1)) {
      const name = `F${fragments.length}`;
      fragments.push("");
      const index = fragments.length - 1;
      fragments[index] = `fragment ${name} on ${type.name} { ${selectionSet(type, depth + 1)} }`;
      selections.push(`...${name}${directive()}`);
    }
    if (depth < maxDepth && rng.chance(0.05))
      selections.push(`...${directive() || " @include(if: true)"} { __typename }`);
    return selections.join(" ");
  };

  const body = selectionSet(root, 1);
  const kind = root === schema.getMutationType() ? "mutation" : "query";
  const query = `${kind} Generated${seed}${flags.length ? `(${flags.join(", ")})` : ""} { ${body} }\n${fragments.join("\n")}`;
  return { seed, query, variables };
}

/**
 * The operation with `@defer` added here and there (deterministically from `seed`): on some inline fragments and
 * fragment spreads, and around some runs of selections (`... @defer { … }`), nested ones included; some labelled,
 * some with `if:` a literal or a variable (added to the operation, its value in `variables`). Never on the root
 * selections of a mutation, where `@defer` is not allowed.
 */
export function withRandomDefers(query: string, seed: number): { query: string; variables: Record<string, unknown> } {
  const rng = random(seed);
  const document = parse(query);
  const variables: Record<string, unknown> = {};
  const flags: VariableDefinitionNode[] = [];
  let labels = 0;
  const defer = (): DirectiveNode => {
    const args: ArgumentNode[] = [];
    if (rng.chance(0.3))
      args.push({
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: "label" },
        value: { kind: Kind.STRING, value: `part${labels++}` },
      });
    // At most two variable conditions: the planner plans every combination of them.
    if (flags.length < 2 && rng.chance(0.2)) {
      const name = `defer${flags.length}`;
      flags.push({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
        type: {
          kind: Kind.NON_NULL_TYPE,
          type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "Boolean" } },
        },
      });
      variables[name] = rng.chance(0.7);
      args.push({
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: "if" },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
      });
    } else if (rng.chance(0.1)) {
      args.push({
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: "if" },
        value: { kind: Kind.BOOLEAN, value: rng.chance(0.5) },
      });
    }
    return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: "defer" }, arguments: args };
  };
  const deferIn = (set: SelectionSetNode, root: boolean): SelectionSetNode => {
    const selections = set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FIELD)
        return selection.selectionSet
          ? { ...selection, selectionSet: deferIn(selection.selectionSet, false) }
          : selection;
      const directives = !root && rng.chance(0.35) ? [...(selection.directives ?? []), defer()] : selection.directives;
      if (selection.kind === Kind.FRAGMENT_SPREAD) return { ...selection, directives };
      return { ...selection, directives, selectionSet: deferIn(selection.selectionSet, root) };
    });
    if (!root && selections.length > 0 && rng.chance(0.35)) {
      const start = rng.int(selections.length);
      const end = start + 1 + rng.int(selections.length - start);
      const wrapped: InlineFragmentNode = {
        kind: Kind.INLINE_FRAGMENT,
        directives: [defer()],
        selectionSet: { kind: Kind.SELECTION_SET, selections: selections.slice(start, end) },
      };
      selections.splice(start, end - start, wrapped);
    }
    return { ...set, selections };
  };
  const definitions = document.definitions.map((definition): DefinitionNode => {
    if (definition.kind === Kind.OPERATION_DEFINITION)
      return {
        ...definition,
        selectionSet: deferIn(definition.selectionSet, definition.operation !== OperationTypeNode.QUERY),
      };
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      return {
        ...definition,
        selectionSet: deferIn(definition.selectionSet, definition.typeCondition.name.value === "Mutation"),
      };
    return definition;
  });
  const withFlags = definitions.map((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? { ...definition, variableDefinitions: [...(definition.variableDefinitions ?? []), ...flags] }
      : definition,
  );
  return { query: print({ ...document, definitions: withFlags }), variables };
}
