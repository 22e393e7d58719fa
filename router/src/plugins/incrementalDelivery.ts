import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2 as SubsequentResult,
} from "@apollo/server";
import { ErrorCode, incrementalDeliveryNotAccepted } from "@commerce/common";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import Negotiator from "negotiator";
import type { RouterContext } from "../context.js";
import type { DeferredPayload } from "../executor/deferredDelivery.js";
import { maybeDefers } from "../executor/deferredOperation.js";
import { takeDeferredPayloads } from "../executor/respond.js";

/** The incremental delivery format the router sends (Apollo Client's and urql's, graphql-js 17's first alpha). */
export const DEFER_MEDIA_TYPE = "multipart/mixed; deferSpec=20220824";
/** What Apollo Server negotiates between (it picks the first the Accept header prefers). */
const NEGOTIATED = ["multipart/mixed", "multipart/mixed; incrementalSpec=v0.2", DEFER_MEDIA_TYPE];

export interface IncrementalDeliveryPluginOptions {
  /** Formats the errors of the payloads after the first, as the server's `formatError` formats the first's. @default none */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** What the plugin reads of the request context (any server can run it; the router's context sets `batched`). */
type IncrementalDeliveryContext = BaseContext & Pick<RouterContext, "batched">;

/**
 * Serves `@defer` through Apollo Server, which only streams results that graphql-js 17 produced: for a gateway
 * it runs the executor and sends its single result. Apollo's HTTP layer does serve any `incremental` response body
 * as `multipart/mixed` (and answers 406 when the Accept header does not allow it), and plugins may replace the
 * body. So the router's executor returns the response to the primary part, like any result, and this plugin turns
 * it into an incremental body, with the executor's later payloads, when execution ends. Every other hook runs as
 * for any operation: limits, safelist, authorization and cost before planning (on the whole operation, deferred
 * parts included), the request deadline, telemetry; plugins that touch the response handle both kinds of body.
 *
 * Before anything runs, a request that may defer is refused when it cannot take the response: its Accept header
 * does not prefer `multipart/mixed; deferSpec=20220824` (406), or it is part of a batch (400), both
 * `INCREMENTAL_DELIVERY_NOT_ACCEPTED`.
 */
export function incrementalDeliveryPlugin({
  formatError,
}: IncrementalDeliveryPluginOptions = {}): ApolloServerPlugin<IncrementalDeliveryContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, contextValue }) {
          if (!maybeDefers(document, request.variables)) return;
          if (contextValue.batched) throw incrementalDeliveryNotAccepted("BATCH", DEFER_MEDIA_TYPE);
          if (request.http && !acceptsIncrementalDelivery(request.http.headers.get("accept")))
            throw incrementalDeliveryNotAccepted("ACCEPT", DEFER_MEDIA_TYPE);
        },
        async executionDidStart({ contextValue, response }) {
          return {
            async executionDidEnd(error) {
              const payloads = takeDeferredPayloads(contextValue);
              if (!payloads) return;
              const body = response.body;
              if (error || body?.kind !== "single") {
                await payloads.return(undefined);
                return;
              }
              response.body = {
                kind: "incremental",
                initialResult: { ...body.singleResult, hasNext: true },
                subsequentResults: formatted(payloads, formatError),
              };
            },
          };
        },
      };
    },
  };
}

/** Whether Apollo Server, given this Accept header, streams in the format the router sends (as its HTTP layer decides). */
export function acceptsIncrementalDelivery(accept: string | undefined): boolean {
  return accept !== undefined && new Negotiator({ headers: { accept } }).mediaType(NEGOTIATED) === DEFER_MEDIA_TYPE;
}

async function* formatted(
  payloads: AsyncGenerator<DeferredPayload>,
  formatError: IncrementalDeliveryPluginOptions["formatError"],
): AsyncGenerator<SubsequentResult> {
  for await (const { hasNext, incremental } of payloads) {
    if (!incremental) {
      yield { hasNext };
      continue;
    }
    yield {
      hasNext,
      incremental: incremental.map(({ errors, ...item }) =>
        errors ? { ...item, errors: errors.map((error) => formatOne(error, formatError)) } : item,
      ),
    };
  }
}

/** As Apollo Server formats the errors of a response: a code on every error, no HTTP extension, then `formatError`. */
function formatOne(
  error: unknown,
  formatError: IncrementalDeliveryPluginOptions["formatError"],
): GraphQLFormattedError {
  const graphQLError =
    error instanceof GraphQLError
      ? error
      : new GraphQLError(error instanceof Error ? error.message : String(error), {
          originalError: error instanceof Error ? error : undefined,
        });
  const { http: _http, ...extensions } = graphQLError.extensions as Record<string, unknown>;
  const formattedError: GraphQLFormattedError = {
    ...graphQLError.toJSON(),
    extensions: { ...extensions, code: extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR },
  };
  try {
    return formatError ? formatError(formattedError, error) : formattedError;
  } catch {
    return { message: "Internal server error", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
}
