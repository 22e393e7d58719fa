import type { FieldSelection } from "@apollo/federation-internals";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import {
  Kind,
  executeSync,
  visit,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type VariableDefinitionNode,
} from "graphql";

/** Answers `__schema` / `__type` from the API schema (introspection never reaches a subgraph). */
export function introspect(
  schema: GraphQLSchema,
  field: FieldSelection,
  requestContext: GatewayGraphQLRequestContext,
): unknown {
  const selection = field.expandFragments().toSelectionNode() as SelectionNode & {
    alias?: { value: string };
    name: { value: string };
  };
  const used = new Set<string>();
  visit(selection, { Variable: (node) => void used.add(node.name.value) });
  const definitions = operationVariables(requestContext).filter((definition) =>
    used.has(definition.variable.name.value),
  );
  const { data, errors } = executeSync({
    schema,
    document: {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: "query" as never,
          variableDefinitions: definitions,
          selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] },
        },
      ],
    },
    rootValue: {},
    variableValues: requestContext.request.variables,
  });
  if (errors?.length || !data)
    throw new Error(
      `Introspection query for ${JSON.stringify(selection)} should not have failed but got ${JSON.stringify(errors)}`,
    );
  const key = selection.alias?.value ?? selection.name.value;
  return Object.hasOwn(data, key) ? data[key] : undefined;
}

function operationVariables(requestContext: GatewayGraphQLRequestContext): readonly VariableDefinitionNode[] {
  const operation = requestContext.document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!requestContext.request.operationName || definition.name?.value === requestContext.request.operationName),
  );
  return operation?.variableDefinitions ?? [];
}
