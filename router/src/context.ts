import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { BaseContext } from "@apollo/server";
import type { Logger } from "@commerce/common";

/** Carries the caller's id to subgraphs and back to the client. */
export const REQUEST_ID_HEADER = "x-request-id";
/** Short and free of anything that could break a header or a log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface RouterContext extends BaseContext {
  /** The incoming `Authorization` header, forwarded as is (issue 4 verifies it here first). */
  authorization?: string;
  /** From a valid incoming `x-request-id`, else generated. */
  requestId: string;
  /** Child logger carrying `requestId`. */
  logger: Logger;
}

/** The part of an incoming HTTP request the context needs. */
export interface IncomingRequest {
  headers: IncomingHttpHeaders;
}

/** The caller's request id when it is short and safe, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && SAFE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/** Builds the per-request context function handed to the HTTP host. */
export function createContext(logger: Logger): (req: IncomingRequest) => Promise<RouterContext> {
  return async (req) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const authorization = req.headers.authorization;
    return {
      ...(authorization ? { authorization } : {}),
      requestId,
      logger: logger.child({ requestId }),
    };
  };
}
