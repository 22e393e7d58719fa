import type { ApolloServerPlugin } from "@apollo/server";
import { forbidden, withHttpStatus } from "@commerce/common";
import type { Caller } from "@commerce/http";
import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";

export interface ServiceCallersPluginOptions {
  /**
   * The root `Query` fields a service calling under its own identity may select. A service's call skips everything
   * the router does for clients (operation limits, demand control, field authorization), so it gets the federation
   * entity lookup the services actually use (products by key) and nothing that lists or searches a whole domain.
   * @default ["_entities", "__typename"]
   */
  allowedFields?: readonly string[];
}

/**
 * Limits what a service caller (`x-service-signature`, see `@commerce/http`'s `callerGuard`) may run: queries
 * only, and of `allowedFields` only. A mutation or subscription is refused with `FORBIDDEN`
 * (`reason: SERVICE_OPERATION_NOT_ALLOWED`), another root field with `FORBIDDEN`
 * (`reason: SERVICE_FIELD_NOT_ALLOWED`, `fields`), both HTTP 403, before anything resolves. The router's
 * requests and unguarded ones (`caller` null) are not this plugin's business.
 */
export function serviceCallersPlugin({
  allowedFields = ["_entities", "__typename"],
}: ServiceCallersPluginOptions = {}): ApolloServerPlugin<{ caller: Caller | null }> {
  const allowed = new Set(allowedFields);
  return {
    async requestDidStart({ contextValue }) {
      const { caller } = contextValue;
      if (caller?.kind !== "service") return;
      return {
        async didResolveOperation({ operation, document }) {
          if (!operation) return; // Apollo resolves the operation before this hook, or answers the request itself.
          if (operation.operation !== "query")
            throw withHttpStatus(
              forbidden(
                `The ${caller.service} service may only read from this subgraph, not run a ${operation.operation}.`,
                {
                  reason: "SERVICE_OPERATION_NOT_ALLOWED",
                  operation: operation.operation,
                },
              ),
              403,
            );
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions)
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          const refused = [...rootFields(operation.selectionSet, fragments, new Set())].filter((f) => !allowed.has(f));
          if (refused.length > 0)
            throw withHttpStatus(
              forbidden(`The ${caller.service} service may not select these fields here.`, {
                reason: "SERVICE_FIELD_NOT_ALLOWED",
                fields: refused.map((field) => `Query.${field}`),
              }),
              403,
            );
        },
      };
    },
  };
}

/** The root field names a selection set selects, through inline fragments and fragment spreads. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): Set<string> {
  const names = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      for (const name of rootFields(selection.selectionSet, fragments, seen)) names.add(name);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) for (const name of rootFields(fragment.selectionSet, fragments, seen)) names.add(name);
    }
  }
  return names;
}
