import { context, trace } from "@opentelemetry/api";
import { addLogContext } from "@commerce/common";

/** The active span's ids, as log fields (`trace_id`, `span_id`), when there is a valid span. */
export function traceLogFields(): Record<string, string> | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : undefined;
}

/** Every pino logger made by @commerce/common carries the active trace id from now on. */
export function enableTraceLogFields(): void {
  addLogContext(traceLogFields);
}
