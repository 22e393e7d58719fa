import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { NextFunction, Request, Response } from "express";

/** Carries the caller's id to subgraphs and back to the client. */
export const REQUEST_ID_HEADER = "x-request-id";
/** Short and free of anything that could break a header or a log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's request id when it is short and safe, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && SAFE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/** The request id `requestIdMiddleware` settled on (or one derived from the raw header when it did not run). */
export function requestIdOf(req: { headers: IncomingHttpHeaders }): string {
  return requestIdFrom(req.headers[REQUEST_ID_HEADER]);
}

/**
 * First middleware of every app: settles the request id (the caller's when safe, else a UUID), writes it back
 * into the request headers so every later reader agrees, and puts it on the response, whatever route or error
 * answers it (health, 404, body-parser errors, GraphQL).
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdOf(req);
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
