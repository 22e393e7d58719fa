import { readEnv, type Env, type EnvReader } from "@commerce/common";

/** Which resolvers get a span: every field, only fields with their own resolver, or none. */
export const RESOLVER_SPAN_MODES = ["all", "own", "none"] as const;
export type ResolverSpanMode = (typeof RESOLVER_SPAN_MODES)[number];

/** The standard `OTEL_TRACES_SAMPLER` values this package implements. */
export const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export interface TelemetryConfig {
  /** `service.name` of the spans (`OTEL_SERVICE_NAME`, else the service's own name). */
  readonly serviceName: string;
  /** `OTEL_SDK_DISABLED=true` turns tracing off entirely (no trace ids in logs, no propagation). */
  readonly disabled: boolean;
  /**
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL, `/v1/traces` added).
   * Unset: spans are not recorded at all, but trace ids still propagate and appear in logs.
   */
  readonly tracesEndpoint: string | undefined;
  /** `OTEL_TRACES_SAMPLER`. @default "parentbased_traceidratio" */
  readonly sampler: SamplerName;
  /** `OTEL_TRACES_SAMPLER_ARG`: the ratio of root traces kept, 0..1. @default 1 */
  readonly samplerRatio: number;
  /** `TRACING_RESOLVERS`: resolver spans in subgraphs. @default "own" */
  readonly resolverSpans: ResolverSpanMode;
  /** `APOLLO_KEY` and `APOLLO_GRAPH_REF`: the router reports usage to Apollo Studio only when both are set. */
  readonly apollo: { readonly key: string | undefined; readonly graphRef: string | undefined };
}

/**
 * Reads the standard OpenTelemetry variables (and `TRACING_RESOLVERS`) with the service's own
 * env reader, so a service's config.ts reports telemetry problems together with its own.
 */
export function readTelemetryConfig(read: EnvReader, service: string): TelemetryConfig {
  const base = read.url("OTEL_EXPORTER_OTLP_ENDPOINT", undefined, ["http:", "https:"]);
  const traces = read.url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", undefined, ["http:", "https:"]);
  const rawRatio = read.optionalString("OTEL_TRACES_SAMPLER_ARG");
  const samplerRatio = rawRatio === undefined ? 1 : Number(rawRatio);
  const validRatio = Number.isFinite(samplerRatio) && samplerRatio >= 0 && samplerRatio <= 1;
  if (!validRatio) read.problem(`OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1, got "${rawRatio}"`);
  return Object.freeze({
    serviceName: read.string("OTEL_SERVICE_NAME", service),
    disabled: read.bool("OTEL_SDK_DISABLED", false),
    tracesEndpoint: traces ?? (base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`),
    sampler: read.oneOf("OTEL_TRACES_SAMPLER", SAMPLERS, "parentbased_traceidratio"),
    samplerRatio: validRatio ? samplerRatio : 1,
    resolverSpans: read.oneOf("TRACING_RESOLVERS", RESOLVER_SPAN_MODES, "own"),
    apollo: Object.freeze({
      key: read.optionalString("APOLLO_KEY"),
      graphRef: read.optionalString("APOLLO_GRAPH_REF"),
    }),
  });
}

/** {@link readTelemetryConfig} on its own; throws one ConfigError listing every problem. */
export function loadTelemetryConfig(service: string, env: Env = process.env): TelemetryConfig {
  const read = readEnv(service, env);
  const config = readTelemetryConfig(read, service);
  read.done();
  return config;
}
