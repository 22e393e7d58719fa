import type { ApolloServerPlugin } from "@apollo/server";
import { unknownOperation } from "@commerce/common";
import type { RouterContext } from "../context.js";

/**
 * Refuses (400 `OPERATION_RESOLUTION_FAILURE`) a request whose `operationName` names no operation of its document,
 * or that names none in a document of several: Apollo would otherwise hand it to the gateway's planner, which
 * answers 500.
 */
export function unknownOperationPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) throw unknownOperation(request.operationName);
        },
      };
    },
  };
}
