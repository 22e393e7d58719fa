import { createRequire } from "node:module";
import { trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { PrismaInstrumentation } from "@prisma/instrumentation";
import type { SamplerName, TelemetryConfig } from "./config.js";
import { enableTraceLogFields } from "./logging.js";

/** The tracer our own spans (request, resolver, DataLoader batch) come from. */
export const TRACER_NAME = "@commerce/telemetry";

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface StartTracingOptions {
  /** Replaces the OTLP exporter (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
  /** Replaces the sampler built from the config. */
  sampler?: Sampler;
}

export interface Tracing {
  /** False when spans are not recorded (no exporter): trace ids still propagate and reach the logs. */
  readonly recording: boolean;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Flushes and stops the exporter; idempotent. */
  shutdown(): Promise<void>;
}

/** The sampler named by `OTEL_TRACES_SAMPLER` (+ ratio), as the OpenTelemetry spec defines them. */
export function samplerFor(name: SamplerName, ratio: number): Sampler {
  const ratioSampler = new TraceIdRatioBasedSampler(ratio);
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratioSampler;
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratioSampler });
  }
}

let started: Tracing | undefined;

/**
 * Registers the process-wide tracer provider (W3C trace context, AsyncLocalStorage), the
 * OTLP/HTTP exporter when an endpoint is configured, Prisma's instrumentation (a span per SQL
 * statement) and the ioredis instrumentation (a span per command). One provider per process:
 * a second call returns the first one's handle, so several services started in one process
 * (tests, benchmarks) share it.
 */
export function startTracing(config: TelemetryConfig, options: StartTracingOptions = {}): Tracing {
  if (started) return started;
  if (config.disabled) {
    started = { recording: false, forceFlush: async () => undefined, shutdown: async () => undefined };
    return started;
  }
  const processors =
    options.spanProcessors ??
    (config.tracesEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesEndpoint }))] : []);
  const recording = processors.length > 0;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    // With nowhere to send spans, record none: ids still propagate and correlate logs.
    sampler: recording ? (options.sampler ?? samplerFor(config.sampler, config.samplerRatio)) : new AlwaysOffSampler(),
    spanProcessors: processors,
  });
  provider.register();
  enableTraceLogFields();
  if (recording) {
    const prisma = new PrismaInstrumentation({ enabled: false });
    prisma.setTracerProvider(provider);
    prisma.enable();
    patchIoredis(provider);
  }
  let stopped: Promise<void> | undefined;
  started = {
    recording,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= provider.shutdown()),
  };
  return started;
}

/**
 * The ioredis instrumentation patches the module through require hooks, which never see a module
 * that ESM (or vitest) already loaded. Its patch is applied to the one loaded copy instead.
 */
function patchIoredis(provider: NodeTracerProvider): void {
  const require = createRequire(import.meta.url);
  let exports: unknown;
  let version: string;
  try {
    exports = require("ioredis");
    version = (require("ioredis/package.json") as { version: string }).version;
  } catch {
    return; // a service without Redis
  }
  const instrumentation = new IORedisInstrumentation({ enabled: false, requireParentSpan: true });
  instrumentation.setTracerProvider(provider);
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(exports, version);
}
