import cluster from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { GraphMetrics } from "./metrics.js";

/** What `/metrics` answers. */
export type MetricsScrape = () => Promise<{ contentType: string; body: string }>;

const REQUEST = "commerce:worker-metrics:request";
const RESPONSE = "commerce:worker-metrics:response";

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  contentType?: string;
  body?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T["type"]): message is T =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;

let serving = false;

/**
 * In the primary of node:cluster workers (`npm start --workers N`): answers a worker's request for every worker's
 * metrics, merged by prom-client's AggregatorRegistry (counters and histograms summed, each gauge by its aggregator).
 * Call once before forking; calling again does nothing.
 */
export function serveWorkerMetrics(): void {
  if (serving) return;
  serving = true;
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (answer: Omit<MetricsResponse, "type" | "id">) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...answer } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (body) => reply({ contentType: aggregator.contentType, body }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * The `/metrics` answer of a service that may run as one of several node:cluster workers sharing a port: a scrape
 * reaches one worker, so there every worker's metrics are merged (through the primary, see
 * {@link serveWorkerMetrics}) and any worker answers for all. In a process of its own, its own metrics.
 * A merge that does not complete within `timeoutMs` (a worker hung) fails the scrape rather than answer part of the
 * counts: Prometheus would read the missing workers' counters as resets.
 */
export function workerAwareScrape(
  metrics: GraphMetrics,
  { timeoutMs = 8000 }: { timeoutMs?: number } = {},
): MetricsScrape {
  if (!cluster.isWorker) return () => metrics.scrape();
  // The worker's side of prom-client's protocol: constructing an AggregatorRegistry makes this process answer the
  // primary's requests, with this service's registry rather than prom-client's global one.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  const pending = new Map<number, (response: MetricsResponse) => void>();
  process.on("message", (message: unknown) => {
    if (isMessage<MetricsResponse>(message, RESPONSE)) pending.get(message.id)?.(message);
  });
  let next = 0;
  return () =>
    new Promise((resolve, reject) => {
      const id = (next += 1);
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the router workers' metrics were not merged within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (response) => {
        clearTimeout(timer);
        pending.delete(id);
        if (response.body !== undefined && response.contentType !== undefined)
          resolve({ contentType: response.contentType, body: response.body });
        else reject(new Error(`the router workers' metrics could not be merged: ${response.error ?? "no answer"}`));
      });
      process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
    });
}
