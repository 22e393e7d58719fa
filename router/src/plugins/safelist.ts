import type { ApolloServerPlugin } from "@apollo/server";
import { persistedQueryNotInList } from "@commerce/common";
import type { RouterContext } from "../context.js";
import type { Safelist } from "../persisted/manifest.js";

export interface SafelistPluginOptions {
  /** The operations of the manifest generated from `operations/**\/*.graphql`. */
  safelist: Safelist;
  /** `safelist` refuses unknown operations (400 `PERSISTED_QUERY_NOT_IN_LIST`); `log` only logs them. @default "safelist" */
  mode?: "safelist" | "log";
}

/**
 * Operation safelisting: only the client operations kept in the repository may run. Checked before planning
 * (the operation limits ran before parsing), by the exact hash of the source (also an APQ hash) or, failing
 * that, the hash of the normalized document, so formatting differences do not matter.
 */
export function safelistPlugin({
  safelist,
  mode = "safelist",
}: SafelistPluginOptions): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash, document, request, contextValue }) {
          if (safelist.has(queryHash, document)) return;
          if (mode === "safelist") throw persistedQueryNotInList();
          contextValue.logger.warn(
            { operationName: request.operationName ?? null, queryHash },
            "operation not in the persisted-operation manifest",
          );
        },
      };
    },
  };
}
