import type { ApolloServerPlugin } from "@apollo/server";
import type { LimitMode, LimitViolation } from "@commerce/analysis";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import { GraphQLError } from "graphql";
import type { RouterContext } from "../context.js";

export interface OperationLimitsPluginOptions {
  /** Called for every violation the context found (both modes), e.g. to count them in metrics. @default none */
  onViolation?: (violation: LimitViolation, mode: LimitMode) => void;
}

/**
 * Reports the operation limits a request exceeded in `warn` mode: `extensions.limitWarnings: [{ code, measured,
 * max }]`. The limits themselves are checked by the context (`createContext`), before Apollo parses, validates
 * or plans: an error thrown from a plugin hook before validation becomes a 500, and graphql's validation of a
 * hostile document is itself slow. It also refuses (400) a request whose `operationName` names no operation of
 * the document, which Apollo would otherwise hand to the gateway's planner (and answer 500).
 */
export function operationLimitsPlugin({ onViolation }: OperationLimitsPluginOptions = {}): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ contextValue }) {
      const warnings = contextValue.limitWarnings ?? [];
      for (const violation of warnings) onViolation?.(violation, "warn");
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const name = request.operationName;
          throw new GraphQLError(name ? `Unknown operation named "${name}".` : "Must provide operation name if query contains multiple operations.", {
            extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
          });
        },
        async willSendResponse({ response }) {
          if (warnings.length === 0 || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, limitWarnings: warnings.map(({ code, measured, max }) => ({ code, measured, max })) };
        },
      };
    },
  };
}
