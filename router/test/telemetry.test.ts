import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "@commerce/telemetry";
import { usageReportingEnabled, usageReportingPlugin } from "../src/plugins/usageReporting.js";
import { createRouter } from "../src/server.js";
import { composeSupergraph } from "./fixtures/subgraphs.js";
import { execute, localGateway, silentLogger, tempSupergraph, testConfig } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("Apollo Studio usage reporting", () => {
  it("is on only when both APOLLO_KEY and APOLLO_GRAPH_REF are set", () => {
    expect(usageReportingEnabled({ apolloKey: "service:commerce:abc", graphRef: "commerce@production" })).toBe(true);
    expect(usageReportingEnabled({ apolloKey: "service:commerce:abc" })).toBe(false);
    expect(usageReportingEnabled({ graphRef: "commerce@production" })).toBe(false);
    expect(usageReportingEnabled({})).toBe(false);
  });

  it("installs the reporting plugin when on, and the explicit disabled plugin otherwise (never reporting from env by itself)", () => {
    const on = usageReportingPlugin({ apolloKey: "service:commerce:abc", graphRef: "commerce@production" }) as Record<
      string,
      unknown
    >;
    const off = usageReportingPlugin({ apolloKey: "service:commerce:abc" }) as Record<string, unknown>;
    expect(on.__internal_plugin_id__).toBe("UsageReporting");
    expect(on.__is_disabled_plugin__).toBeFalsy();
    expect(off).toEqual({ __internal_plugin_id__: "UsageReporting", __is_disabled_plugin__: true });
  });
});

describe("router metrics in process", () => {
  it("counts operations, plan-cache hits and misses, and rejections into the router's own registry", async () => {
    const file = await tempSupergraph(composeSupergraph());
    const metrics = createMetrics({ service: "router", processMetrics: false });
    const router = createRouter({
      config: testConfig(file.path, { MAX_QUERY_DEPTH: "4" }),
      logger: silentLogger,
      gateway: localGateway(file.path),
      metrics,
    });
    await router.apollo.start();
    cleanups.push(file.remove, router.stop);
    expect(router.graphMetrics).toBe(metrics);

    const query = `query Kettle { product(id: "p1") { name } }`;
    for (let i = 0; i < 2; i += 1) expect((await execute(router, query)).errors).toBeUndefined();
    // A token the router refuses: no request hooks run after a failed context, yet it counts as a rejection.
    const refused = await execute(router, query, { headers: { authorization: "Bearer not-a-jwt" } });
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const text = (await router.metrics()).body;
    const line = (prefix: string, ...parts: string[]) =>
      text
        .split("\n")
        .find((l) => l.startsWith(`${prefix}{`) && parts.every((p) => l.includes(p)))
        ?.split(" ")[1];
    expect(line("graphql_operations_total", 'operation="Kettle"', 'outcome="success"')).toBe("2");
    expect(line("graphql_operations_total", 'operation="anonymous"', 'outcome="rejected"')).toBe("1");
    expect(line("graphql_rejections_total", 'reason="auth"')).toBe("1");
    expect(line("graphql_rejections_total", 'reason="depth"')).toBe("0");
    expect(line("graphql_cache_lookups_total", 'cache="query_plan"', 'result="miss"')).toBe("1");
    expect(line("graphql_cache_lookups_total", 'cache="query_plan"', 'result="hit"')).toBe("1");
  });
});
