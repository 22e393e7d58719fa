import { describe, expect, it } from "vitest";
import { createMemoryCache } from "@commerce/cache";
import { createLogger } from "@commerce/common";
import { createDb } from "@commerce/db";
import { subgraphTelemetry } from "@commerce/telemetry";
import { loadConfig } from "../src/config.js";
import { subgraph, type CatalogDeps } from "../src/server.js";
import { useInProcess } from "@commerce/testing/subgraph";

// Nothing listens on port 1; these operations are answered without SQL.
const config = loadConfig({
  DATABASE_URL: "postgresql://catalog@127.0.0.1:1/none",
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
});
const lines: Array<Record<string, unknown>> = [];
const logger = createLogger("catalog", "info", {
  write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
});
const db = createDb(config.databaseUrl, { poolSize: 1 });
const deps: CatalogDeps = {
  db,
  cache: createMemoryCache(),
  logger,
  config,
  telemetry: subgraphTelemetry({ service: "catalog", logger }),
};
const graph = useInProcess(subgraph, deps);
const execute = (query: string, headers: Array<[string, string]> = []) =>
  graph.execute(query, {}, Object.fromEntries(headers));

describe("catalog telemetry", () => {
  it("serves a federated inline trace (ftv1) when the router asks for one, and only then", async () => {
    const traced = await execute("query Sdl { _service { sdl } }", [["apollo-federation-include-trace", "ftv1"]]);
    expect(traced.errors).toBeUndefined();
    expect(traced.extensions?.ftv1).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const plain = await execute("query Sdl { _service { sdl } }");
    expect(plain.extensions?.ftv1).toBeUndefined();
  });

  it("writes one line per operation with its outcome and duration", async () => {
    lines.splice(0);
    await execute("query Sdl { _service { sdl } }");
    const operations = lines.filter((l) => l.msg === "graphql operation");
    expect(operations).toHaveLength(1);
    expect(operations[0]).toMatchObject({ operation: "Sdl", type: "query", outcome: "success", service: "catalog" });
    expect(typeof operations[0]?.durationMs).toBe("number");
    const text = (await deps.telemetry?.metrics.scrape())?.body ?? "";
    expect(text).toMatch(/^graphql_operations_total\{(?=[^}]*operation="Sdl")(?=[^}]*service="catalog")[^}]*\} 3$/m); // the two above and this one
  });
});
