import type { NextFunction, Request, Response } from "express";
import type { GraphQLError } from "graphql";
import { badRequest, slowConsumer } from "@commerce/common";
import type { StreamRequest, SubscriptionService } from "./subscriptionService.js";
import type { StreamResult } from "./subscriptionStream.js";

export interface SseTransportOptions {
  service: SubscriptionService;
  /** How long a slow client gets to take its last event before its connection is cut. @default 2000 */
  closeTimeoutMs?: number;
}

/** One graphql-sse message (distinct connections mode: `next` with a result, `complete` to end). */
function message(event: "next" | "complete", data?: StreamResult): string {
  return data === undefined ? `event: ${event}\ndata:\n\n` : `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The request's operation: the JSON body of a POST, or the query string of a GET (variables and extensions as JSON). */
function operationOf(req: Request): StreamRequest | string {
  if (req.method === "POST")
    return (typeof req.body === "object" && req.body !== null ? req.body : {}) as StreamRequest;
  const query = req.query as Record<string, unknown>;
  const json = (name: string): unknown => {
    const raw = query[name];
    if (typeof raw !== "string") return raw;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new TypeError(name);
    }
  };
  try {
    return {
      query: query.query,
      operationName: query.operationName,
      variables: json("variables"),
      extensions: json("extensions"),
    };
  } catch (error) {
    return `\`${(error as Error).message}\` must be JSON.`;
  }
}

/**
 * GraphQL over Server-Sent Events, the graphql-sse protocol's distinct connections mode (graphql-sse's client by
 * default): a POST (or GET) with `Accept: text/event-stream` runs one operation, its results stream as `next`
 * events and a `complete` event ends it. Refusals (authentication, limits, authorization, validation) are a `next`
 * with the coded errors, then `complete`, as the protocol does for validation errors. graphql-sse's own handler is
 * not used because it queues every event for a connection without a bound while the client is slow; here an event
 * is pulled only once the previous one was written, and a client more than `maxBufferedBytes` behind is cut off.
 * Requests that do not ask for an event stream pass to the next handler.
 */
export function sseTransport({ service, closeTimeoutMs = 2_000 }: SseTransportOptions) {
  const { settings } = service.options;
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== "POST" && req.method !== "GET") || !req.headers.accept?.includes("text/event-stream"))
      return next();
    serve(req, res).catch((error: unknown) => {
      service.options.logger.error({ err: error }, "SSE subscription failed");
      if (!res.headersSent) return next(error);
      res.destroy();
    });
  };

  async function serve(req: Request, res: Response): Promise<void> {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      // Proxies (nginx) must not buffer the stream.
      "x-accel-buffering": "no",
    });
    // A first comment so that browsers see the stream open (some do not on headers alone).
    res.write(":\n\n");
    const end = (result?: StreamResult): void => {
      if (res.writableEnded || res.destroyed) return;
      if (result) res.write(message("next", result));
      res.end(message("complete"));
    };
    let closed = false;
    res.once("close", () => (closed = true));

    const refuse = (error: GraphQLError): void => end({ errors: [service.format(error)] });
    const request = operationOf(req);
    if (typeof request === "string") return refuse(badRequest(request, "INVALID_PARAMETERS"));
    let caller;
    try {
      caller = await service.authenticate(req.headers.authorization, req.headers, req.ip);
    } catch (error) {
      return refuse(error as GraphQLError);
    }
    if (closed) return;
    const outcome = await service.execute(request, caller, "sse", (reason) => {
      // The client stopped reading while an event waited for room: give it a moment for the last one, then cut it.
      if (reason === "slow_consumer") setTimeout(() => res.destroy(), closeTimeoutMs).unref();
    });
    if (!("stream" in outcome)) return end(outcome.result);
    const stream = outcome.stream;
    if (closed) return void stream.return();
    res.once("close", () => void stream.return());
    const heartbeat = setInterval(() => res.write(":\n\n"), settings.heartbeatMs);
    heartbeat.unref();
    try {
      for await (const result of stream) {
        if (closed) break;
        const room = res.write(message("next", result));
        if (res.writableLength > settings.maxBufferedBytes) {
          stream.close("slow_consumer", slowConsumer({ pending: 0, bufferedBytes: res.writableLength }));
          continue;
        }
        // The next event is pulled once this one is on its way: events wait in the stream, which bounds them.
        if (!room)
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off("drain", done);
              res.off("close", done);
              resolve();
            };
            res.on("drain", done);
            res.on("close", done);
          });
      }
    } finally {
      clearInterval(heartbeat);
    }
    end();
  }
}
