import type { ApolloServerOptions } from "@apollo/server";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "@commerce/common";
import type { RouterContext } from "./context.js";

/** Codes whose messages are written for clients: ours and Apollo's request errors. */
const CLIENT_SAFE_CODES: ReadonlySet<unknown> = new Set<unknown>(
  [...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)].filter(
    (code: string) => code !== ErrorCode.INTERNAL_SERVER_ERROR,
  ),
);
/** Extensions that are never internal details. */
const KEPT_EXTENSIONS = ["code", "serviceName"] as const;

/**
 * Production error masking: errors with a client-safe code pass as they are; any other error (a subgraph's
 * uncoded error, `DOWNSTREAM_SERVICE_ERROR`, anything internal) keeps its code, path and subgraph name but
 * gets a generic message and loses every other extension (exception details, stack traces). Off in development,
 * where the full subgraph message helps. Stack traces are never sent (`includeStacktraceInErrorResponses: false`).
 */
export function routerFormatError({
  production,
  onMasked,
}: {
  production: boolean;
  onMasked?: (formatted: GraphQLFormattedError) => void;
}): NonNullable<ApolloServerOptions<RouterContext>["formatError"]> {
  return (formatted) => {
    if (!production || CLIENT_SAFE_CODES.has(formatted.extensions?.code)) return formatted;
    onMasked?.(formatted);
    const extensions: Record<string, unknown> = {};
    for (const key of KEPT_EXTENSIONS)
      if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
    extensions.code ??= ErrorCode.INTERNAL_SERVER_ERROR;
    return {
      message: "Internal server error.",
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  };
}
