import type { ApolloServerPlugin } from "@apollo/server";
import type { RouterContext } from "../context.js";

/**
 * Reports the operation limits a request exceeded in `warn` mode (`LIMITS_MODE=warn`) in the response:
 * `extensions.limitWarnings: [{ code, measured, max }]`. The limits themselves are checked, and in `enforce` mode
 * refused, by the context (`createContext`), before Apollo parses, validates or plans: an error thrown from a
 * plugin hook before validation becomes a 500, and graphql's validation of a hostile document is itself slow.
 */
export function limitWarningsPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ contextValue }) {
      const warnings = contextValue.limitWarnings;
      if (!warnings || warnings.length === 0) return;
      return {
        async willSendResponse({ response }) {
          const result = response.body.kind === "single" ? response.body.singleResult : response.body.initialResult;
          result.extensions = {
            ...result.extensions,
            limitWarnings: warnings.map(({ code, measured, max }) => ({ code, measured, max })),
          };
        },
      };
    },
  };
}
