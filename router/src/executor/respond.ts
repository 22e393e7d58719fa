import type { FieldSelection, Operation, Schema } from "@apollo/federation-internals";
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import { internalServerError } from "@commerce/common";
import { schemaWithDefer } from "@commerce/analysis";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { deferredPayloads, type DeferredPayload } from "./deferredDelivery.js";
import type { PlanExecution } from "./executePlan.js";
import { introspect } from "./introspection.js";
import type { ResponseShape } from "./responseShape.js";
import { shapeResponse, type DeferredShaping } from "./shapeResponse.js";

// The response the native executor returns for an executed plan: the merged data shaped to the operation, and
// the deferred payloads that follow it, handed to the HTTP layer (`takeDeferredPayloads`).

/** What one query plan compiles to: the operation (for Condition nodes) and its response shape. */
export interface CompiledPlan {
  apiSchema: Schema;
  operation: Operation;
  shape: ResponseShape;
}

/** The payloads after the first of each deferred response, by the request's context, until the HTTP layer takes them. */
const deferredResponses = new WeakMap<object, AsyncGenerator<DeferredPayload>>();

/**
 * The payloads that follow the response the executor just returned for this context (the request's
 * `contextValue`), when it deferred part of the operation; each call hands them out once.
 */
export function takeDeferredPayloads(context: object): AsyncGenerator<DeferredPayload> | undefined {
  const payloads = deferredResponses.get(context);
  deferredResponses.delete(context);
  return payloads;
}

/**
 * The response from the merged data: fetch errors first; value errors only reported when no fetch failed. When
 * the execution deferred blocks, it is the response to the primary part, and the rest is handed to the HTTP
 * layer (`takeDeferredPayloads`).
 */
export function respond(
  requestContext: GatewayGraphQLRequestContext,
  compiled: CompiledPlan,
  execution: PlanExecution,
  internals: { schema: GraphQLSchema; logger: { error(message: string): void } },
): GatewayExecutionResult {
  const variables = requestContext.request.variables;
  const introspection = (field: FieldSelection) => introspect(schemaWithDefer(internals.schema), field, requestContext);
  const deferral = execution.deferral && execution.deferral.blocks.size > 0 ? execution.deferral : undefined;
  const deferred: DeferredShaping | undefined = deferral ? { labels: deferral.blocks, found: [] } : undefined;
  let shaped;
  try {
    shaped = shapeResponse(compiled.shape, execution.data, variables, introspection, deferred);
    if (deferral && deferred) {
      const payloads = deferredPayloads({
        deferral,
        shape: compiled.shape,
        variables,
        introspect: introspection,
        found: deferred.found,
        reported: execution.errors,
      });
      deferredResponses.set(requestContext.context, payloads);
    }
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [internalServerError(error.message, { originalError: error })] };
    internals.logger.error(`Unexpected error during query plan execution: ${String(error)}`);
    return { errors: [internalServerError("Unexpected error during query plan execution")] };
  }
  const { data, errors } = shaped;
  if (execution.errors.length === 0 && errors.length > 0) return { extensions: { valueCompletion: errors }, data };
  return execution.errors.length === 0 ? { data } : { errors: execution.errors as GraphQLError[], data };
}
