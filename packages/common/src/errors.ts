import { GraphQLError } from "graphql";

/** Every `extensions.code` the graph emits. Clients switch on these, never on messages. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

function coded(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, status?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

/**
 * Missing, malformed, expired or revoked credentials. No HTTP status here: a
 * resolver's error must stay a GraphQL error in a 200 response (the gateway treats
 * a subgraph's non-2xx as a failed fetch). Request-level failures (the context)
 * add `http: { status: 401 }` themselves.
 */
export function unauthenticated(message = "You must be signed in to do this.", reason?: string): GraphQLError {
  return coded(ErrorCode.UNAUTHENTICATED, message, reason ? { reason } : {});
}

/** Signed in, but not allowed. */
export function forbidden(message = "You are not allowed to do this.", details: Record<string, unknown> = {}): GraphQLError {
  return coded(ErrorCode.FORBIDDEN, message, details);
}

/** An argument the caller can fix; `field` names the argument (dot path for input fields). */
export function badUserInput(message: string, field?: string, details: Record<string, unknown> = {}): GraphQLError {
  return coded(ErrorCode.BAD_USER_INPUT, message, { ...(field ? { field } : {}), ...details });
}

/** A mutation targeted an entity that does not exist. Nullable lookups return null instead. */
export function notFound(type: string, id: string): GraphQLError {
  return coded(ErrorCode.NOT_FOUND, `${type} ${id} does not exist.`, { type, id });
}

/** The request conflicts with existing state (e.g. a unique value already taken). */
export function conflict(message: string, field?: string): GraphQLError {
  return coded(ErrorCode.CONFLICT, message, field ? { field } : {});
}

/** True when `error` is a GraphQLError carrying one of our codes (so it is safe to show as is). */
export function isCodedError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in ErrorCode;
}
