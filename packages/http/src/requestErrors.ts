import { badRequest, httpStatusOf, internalServerError, limitExceeded } from "@commerce/common";
import type { NextFunction, Request, Response } from "express";
import type { GraphQLError } from "graphql";

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: string;
  status?: number;
  /** The declared length (`Content-Length`). */
  length?: number;
  /** Bytes read before the parser stopped (a body without a declared length). */
  received?: number;
  limit?: number;
}

/**
 * Answers a request outside Apollo (middleware before it) with one error of `@commerce/common`, the way Apollo
 * answers one: the HTTP status and headers its factory gave it (`extensions.http`, else 500) and a GraphQL body.
 */
export function sendGraphQLError(res: Response, error: GraphQLError): void {
  const { http, ...extensions } = error.extensions as { http?: { headers?: ReadonlyMap<string, string> } };
  for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
  res.status(httpStatusOf(error) ?? 500).json({ errors: [{ message: error.message, extensions }] });
}

/**
 * Refuses a GraphQL POST whose body is not JSON (415) before Apollo, which would otherwise answer 500 for a
 * body nothing parsed. GET requests carry the operation in the query string and pass.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== "POST" || req.is("application/json") || req.is("application/graphql-response+json")) return next();
  sendGraphQLError(
    res,
    badRequest("POST requests must have content-type application/json.", "UNSUPPORTED_MEDIA_TYPE", 415),
  );
}

/**
 * Last middleware of the app: turns body-parser failures into GraphQL-shaped errors (too large → 413 with the
 * measured and maximum sizes; bad JSON → 400) and anything else into a masked 500, never a stack trace.
 */
export function requestErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const parserError = (typeof error === "object" && error !== null ? error : {}) as BodyParserError;
  if (parserError.type === "entity.too.large" && parserError.limit !== undefined) {
    const max = parserError.limit;
    // Without a declared length, the bytes read so far: a lower bound.
    const measured = parserError.length ?? parserError.received ?? max + 1;
    return sendGraphQLError(
      res,
      limitExceeded(
        "MAX_BODY_BYTES_LIMIT",
        { measured, max },
        `The request body is larger than the maximum of ${max} bytes.`,
        413,
      ),
    );
  }
  if (parserError.type === "entity.parse.failed")
    return sendGraphQLError(res, badRequest("The request body is not valid JSON.", "INVALID_JSON"));
  if (parserError.status !== undefined && parserError.status >= 400 && parserError.status < 500) {
    return sendGraphQLError(
      res,
      badRequest("The request could not be read.", parserError.type ?? "UNREADABLE", parserError.status),
    );
  }
  sendGraphQLError(res, internalServerError(undefined, { status: 500 }));
}
