import type {
  ApolloServerPlugin,
  GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2 as SubsequentResult,
} from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
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
 * so the operation's log line and metrics see the 504. The deferred parts of an incremental (`@defer`) response are
 * within the deadline too: past it, what is still running is abandoned and the last payload carries the error.
 */
export function requestDeadlinePlugin({
  timeoutMs = 15_000,
}: RequestDeadlinePluginOptions = {}): ApolloServerPlugin<RouterContext> {
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
          const { body } = response;
          if (body?.kind === "incremental" && !controller.signal.aborted) {
            body.subsequentResults = untilAborted(body.subsequentResults, controller.signal, formatted, () =>
              clearTimeout(timer),
            );
            return;
          }
          clearTimeout(timer);
          if (!controller.signal.aborted) return;
          response.body = { kind: "single", singleResult: { errors: [formatted] } };
          response.http.status = status;
        },
      };
    },
  };
}

/**
 * The payloads of `results` until `signal` aborts; then a last one with `error` (the deferred parts still running
 * stop: their subgraph calls watch the same signal). `done` runs once no payload will follow.
 */
async function* untilAborted(
  results: AsyncIterable<SubsequentResult>,
  signal: AbortSignal,
  error: GraphQLFormattedError,
  done: () => void,
): AsyncGenerator<SubsequentResult> {
  const iterator = results[Symbol.asyncIterator]();
  let onAbort = (): void => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = signal.aborted ? undefined : await Promise.race([iterator.next(), aborted]);
      if (!next) {
        yield { hasNext: false, incremental: [{ path: [], errors: [error] }] };
        // Not awaited: it settles once the payload being prepared does, soon after the aborted calls return.
        iterator.return?.(undefined).catch(() => {});
        return;
      }
      if (next.done) return;
      yield next.value;
      if (!next.value.hasNext) return;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    done();
  }
}
