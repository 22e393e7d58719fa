import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  propagation,
  trace,
  type Span,
} from "@opentelemetry/api";
import { tracer } from "./tracing.js";

/** The parts of an (express) request the middleware reads. */
export interface TracedRequest {
  method: string;
  originalUrl?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

export type TracingMiddleware = (req: TracedRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Starts the server span of one HTTP request and runs the rest of the handler chain inside it.
 * The parent comes from the W3C `traceparent` header only (extracted onto the root context, never
 * onto whatever context happens to be active), so a trace continues across services exactly when
 * the caller propagated it.
 */
export function tracingMiddleware({ service }: { service: string }): TracingMiddleware {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const path = (req.originalUrl ?? req.url ?? "/").split("?")[0] ?? "/";
    const span = tracer().startSpan(
      `${req.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": req.method,
          "url.path": path,
          "commerce.service": service,
          "commerce.trace_propagated": req.headers.traceparent !== undefined,
        },
      },
      parent,
    );
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once("finish", end);
    res.once("close", end);
    context.with(trace.setSpan(parent, span), () => next());
  };
}

/** True when the context's span belongs to a sampled trace (children of it are recorded, even after it ended). */
export function isSampled(ctx = context.active()): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** The active span, when there is one worth annotating. */
export function activeSpan(): Span | undefined {
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span : undefined;
}

/** Writes the active context's `traceparent` (and `tracestate`) into outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}
