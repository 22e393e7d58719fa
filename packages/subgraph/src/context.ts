import { randomUUID } from "node:crypto";
import { createTokenVerifier, viewerFromAuthorization, type Viewer } from "@commerce/auth";
import { withHttpStatus, type Logger } from "@commerce/common";
import { callerName, type Caller } from "@commerce/http";

/** The parts of an HTTP request a context needs (an Express request fits). */
export interface ContextRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** A header's first value. */
export function headerOf(req: ContextRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads the viewer from the Authorization header, verified with `jwtSecret`. A missing header is
 * anonymous (null); a present but invalid or expired token fails the request with UNAUTHENTICATED
 * and HTTP 401 (Apollo answers a failed context with 500 unless the error names a status).
 */
export function viewerReader(jwtSecret: string): (req: ContextRequest) => Promise<Viewer | null> {
  const verify = createTokenVerifier({ secret: jwtSecret });
  return async (req) => {
    try {
      return await viewerFromAuthorization(headerOf(req, "authorization"), verify);
    } catch (error) {
      throw withHttpStatus(error, 401);
    }
  };
}

/**
 * The request id (`x-request-id`, else a new one) and a logger that carries it, and the caller's name (`router`, or
 * the service that called under its own identity) when the guard verified one.
 */
export function requestScope(
  req: ContextRequest,
  logger: Logger,
  caller: Caller | null = null,
): { requestId: string; logger: Logger } {
  const requestId = headerOf(req, "x-request-id") ?? randomUUID();
  return { requestId, logger: logger.child(caller ? { requestId, caller: callerName(caller) } : { requestId }) };
}
