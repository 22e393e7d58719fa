import type { ApolloServerPlugin } from "@apollo/server";
import { gatewayTimeout, httpStatusOf } from "@commerce/common";
import type { RouterContext } from "../context.js";

export interface RequestDeadlinePluginOptions {
  /** Answer HTTP 504 `GATEWAY_TIMEOUT` when the request has not completed within this long. @default 15000 */
  timeoutMs?: number;
}

/**
 * The overall request deadline. It puts an AbortSignal on the context (`signal`) that aborts `timeoutMs` after the
 * request started; the subgraph data sources stop waiting and abort their calls when it fires, so the execution
 * ends at once, and the response becomes a single `GATEWAY_TIMEOUT` error with HTTP 504 (partial data past a
 * deadline is not offered: the caller asked for a bounded wait and gets a clear answer). First in the plugin list,
 * so the operation's log line and metrics see the 504.
 */
export function requestDeadlinePlugin({ timeoutMs = 15_000 }: RequestDeadlinePluginOptions = {}): ApolloServerPlugin<RouterContext> {
  const error = gatewayTimeout(timeoutMs);
  const status = httpStatusOf(error) ?? 500;
  // Formatted once: the error never varies, and Apollo's formatting (which drops `extensions.http`) is bypassed here.
  const { http: _http, ...clientExtensions } = error.extensions as Record<string, unknown>;
  const formatted = Object.freeze({ message: error.message, extensions: Object.freeze(clientExtensions) });
  return {
    async requestDidStart({ contextValue }) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      contextValue.signal = controller.signal;
      return {
        async willSendResponse({ response }) {
          clearTimeout(timer);
          if (!controller.signal.aborted) return;
          response.body = { kind: "single", singleResult: { errors: [formatted] } };
          response.http.status = status;
        },
      };
    },
  };
}
