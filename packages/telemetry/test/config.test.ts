import { describe, expect, it } from "vitest";
import { ConfigError } from "@commerce/common";
import { ParentBasedSampler, TraceIdRatioBasedSampler, AlwaysOnSampler } from "@opentelemetry/sdk-trace-base";
import { loadTelemetryConfig } from "../src/config.js";
import { samplerFor } from "../src/tracing.js";

describe("loadTelemetryConfig", () => {
  it("defaults: no exporter, parent-based ratio 1, own-resolver spans, no Studio", () => {
    expect(loadTelemetryConfig("catalog", {})).toEqual({
      serviceName: "catalog",
      disabled: false,
      tracesEndpoint: undefined,
      sampler: "parentbased_traceidratio",
      samplerRatio: 1,
      resolverSpans: "own",
      apollo: { key: undefined, graphRef: undefined },
    });
  });

  it("reads the standard OTEL variables and Apollo's", () => {
    const config = loadTelemetryConfig("router", {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_SERVICE_NAME: "edge",
      TRACING_RESOLVERS: "all",
      APOLLO_KEY: "service:x",
      APOLLO_GRAPH_REF: "commerce@prod",
    });
    expect(config).toMatchObject({
      serviceName: "edge",
      tracesEndpoint: "http://jaeger:4318/v1/traces",
      sampler: "traceidratio",
      samplerRatio: 0.25,
      resolverSpans: "all",
    });
    expect(config.apollo).toEqual({ key: "service:x", graphRef: "commerce@prod" });
    expect(
      loadTelemetryConfig("x", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/custom" }).tracesEndpoint,
    ).toBe("http://c:4318/custom");
  });

  it("reports every bad value at once", () => {
    const problems = (() => {
      try {
        loadTelemetryConfig("x", {
          OTEL_TRACES_SAMPLER_ARG: "2",
          OTEL_TRACES_SAMPLER: "sometimes",
          TRACING_RESOLVERS: "most",
          OTEL_EXPORTER_OTLP_ENDPOINT: "jaeger",
        });
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
    })();
    expect(problems).toHaveLength(4);
  });
});

describe("samplerFor", () => {
  it("builds the spec's samplers", () => {
    expect(samplerFor("parentbased_traceidratio", 0.5)).toBeInstanceOf(ParentBasedSampler);
    expect(samplerFor("traceidratio", 0.5)).toBeInstanceOf(TraceIdRatioBasedSampler);
    expect(samplerFor("always_on", 0)).toBeInstanceOf(AlwaysOnSampler);
    expect(samplerFor("parentbased_traceidratio", 0.5).toString()).toContain("0.5");
  });
});
