import { SpanStatusCode, context, trace } from "@opentelemetry/api";
import { isSampled } from "./http.js";
import type { GraphMetrics } from "./metrics.js";
import { tracer } from "./tracing.js";

/** What a cache-first batch reports (the shape of @commerce/cache's BatchStats). */
export interface CachedBatchStats {
  loader: string;
  size: number;
  cacheHits: number;
}

export interface BatchInstrumentation {
  /**
   * Wraps a DataLoader batch function: each batch runs in a `dataloader.batch <name>` span
   * (so its SQL and Redis spans nest under it) and its size is measured.
   */
  wrap<K, R>(name: string, batch: (keys: readonly K[]) => Promise<R>): (keys: readonly K[]) => Promise<R>;
  /** Pass as cachedBatch's `onBatch`: records entity-cache hits and misses on the metrics and the batch span. */
  onBatch(stats: CachedBatchStats): void;
}

/** DataLoader instrumentation for one service; without metrics it only traces. */
export function batchInstrumentation(metrics?: GraphMetrics): BatchInstrumentation {
  return {
    wrap(name, batch) {
      return (keys) => {
        metrics?.observeBatch(name, keys.length);
        const parent = context.active();
        // No recording parent (sampled out, or tracing off): no span, no cost.
        if (!isSampled(parent)) return batch(keys);
        const span = tracer().startSpan(
          `dataloader.batch ${name}`,
          { attributes: { "dataloader.name": name, "dataloader.batch_size": keys.length } },
          parent,
        );
        return context
          .with(trace.setSpan(parent, span), () => batch(keys))
          .then(
            (result) => {
              span.end();
              return result;
            },
            (error: unknown) => {
              span.recordException(error instanceof Error ? error : String(error));
              span.setStatus({ code: SpanStatusCode.ERROR });
              span.end();
              throw error;
            },
          );
      };
    },
    onBatch({ size, cacheHits }) {
      metrics?.recordCacheLookup("entity", true, cacheHits);
      metrics?.recordCacheLookup("entity", false, size - cacheHits);
      trace.getSpan(context.active())?.setAttribute("dataloader.cache_hits", cacheHits);
    },
  };
}
