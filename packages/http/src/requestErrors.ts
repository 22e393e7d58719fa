import type { NextFunction, Request, Response } from "express";

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: string;
  status?: number;
  length?: number;
  limit?: number;
}

function graphQLError(res: Response, status: number, message: string, extensions: Record<string, unknown>): void {
  res.status(status).json({ errors: [{ message, extensions }] });
}

/**
 * Refuses a GraphQL POST whose body is not JSON (415) before Apollo, which would otherwise answer 500 for a
 * body nothing parsed. GET requests carry the operation in the query string and pass.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== "POST" || req.is("application/json") || req.is("application/graphql-response+json")) return next();
  graphQLError(res, 415, "POST requests must have content-type application/json.", { code: "BAD_REQUEST", reason: "UNSUPPORTED_MEDIA_TYPE" });
}

/**
 * Last middleware of the app: turns body-parser failures into GraphQL-shaped errors (too large → 413 with the
 * measured and maximum sizes; bad JSON → 400) and anything else into a masked 500, never a stack trace.
 */
export function requestErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const parserError = (typeof error === "object" && error !== null ? error : {}) as BodyParserError;
  if (parserError.type === "entity.too.large") {
    return graphQLError(res, 413, `The request body is larger than the maximum of ${parserError.limit} bytes.`, {
      code: "MAX_BODY_BYTES_LIMIT",
      limit: { measured: parserError.length, max: parserError.limit },
    });
  }
  if (parserError.type === "entity.parse.failed") {
    return graphQLError(res, 400, "The request body is not valid JSON.", { code: "BAD_REQUEST", reason: "INVALID_JSON" });
  }
  if (parserError.status !== undefined && parserError.status >= 400 && parserError.status < 500) {
    return graphQLError(res, parserError.status, "The request could not be read.", { code: "BAD_REQUEST", reason: parserError.type ?? "UNREADABLE" });
  }
  graphQLError(res, 500, "Internal server error.", { code: "INTERNAL_SERVER_ERROR" });
}
