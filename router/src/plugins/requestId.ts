import type { ApolloServerPlugin } from "@apollo/server";
import { REQUEST_ID_HEADER, type RouterContext } from "../context.js";

export interface RequestIdPluginOptions {
  /** Response header that echoes the request id from the context. @default "x-request-id" */
  header?: string;
}

/** Echoes the request id (the caller's, or the one the context generated) on every GraphQL response. */
export function requestIdPlugin({
  header = REQUEST_ID_HEADER,
}: RequestIdPluginOptions = {}): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ contextValue }) {
      const { requestId } = contextValue;
      return {
        async willSendResponse({ response }) {
          response.http.headers.set(header, requestId);
        },
      };
    },
  };
}
