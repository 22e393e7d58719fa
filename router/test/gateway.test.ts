import { rename, rm, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SupergraphNotFoundError } from "../src/watchSupergraph.js";
import { createRouter, type Router } from "../src/server.js";
import { createGateway, subgraphEnvName, subgraphUrl } from "../src/gateway.js";
import { composeSupergraph } from "./fixtures/subgraphs.js";
import { execute, localGateway, reloadRecorder, silentLogger, tempSupergraph, testConfig } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A started router over the inline subgraphs, its supergraph in a temp file that the test may rewrite. */
async function startLocalRouter() {
  const file = await tempSupergraph(composeSupergraph({ catalogVersion: 1 }));
  const reloads = reloadRecorder();
  const router: Router = createRouter({
    config: testConfig(file.path),
    logger: silentLogger,
    gateway: localGateway(file.path, { onReload: reloads.onReload }),
  });
  await router.apollo.start();
  cleanups.push(file.remove, router.stop);
  return { file, reloads, router };
}

const DESCRIPTION_QUERY = '{ product(id: "p1") { name description } }';

describe("subgraph URL overrides", () => {
  it("maps subgraph names to their SUBGRAPH_<NAME>_URL form", () => {
    expect(subgraphEnvName("accounts")).toBe("ACCOUNTS");
    expect(subgraphEnvName("order-history")).toBe("ORDER_HISTORY");
  });

  it("prefers the override and falls back to the supergraph's URL", () => {
    const overrides = { ACCOUNTS: "http://127.0.0.1:5001/graphql" };
    expect(subgraphUrl({ name: "accounts", url: "http://localhost:4001/graphql" }, overrides)).toBe(
      "http://127.0.0.1:5001/graphql",
    );
    expect(subgraphUrl({ name: "catalog", url: "http://localhost:4002/graphql" }, overrides)).toBe(
      "http://localhost:4002/graphql",
    );
  });
});

describe("createGateway", () => {
  it("fails to load with an error naming the missing file and the command that creates it", async () => {
    const path = "/nonexistent/schema/supergraph.graphql";
    const gateway = createGateway({ supergraphPath: path, logger: silentLogger });
    const failure = gateway.load().then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await failure;
    expect(error).toBeInstanceOf(SupergraphNotFoundError);
    expect(String(error)).toContain(path);
    expect(String(error)).toContain("npm run schema:compose");
  });

  it("applies a rewritten supergraph without a restart", async () => {
    const { file, reloads, router } = await startLocalRouter();
    const before = await execute(router, DESCRIPTION_QUERY);
    expect(before.status).toBe(400);
    expect(before.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");

    const reloaded = reloads.next();
    await file.write(composeSupergraph({ catalogVersion: 2 }));
    expect(await reloaded).toEqual({ status: "updated" });

    const after = await execute(router, DESCRIPTION_QUERY);
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual({ product: { name: "Kettle", description: "Boils water." } });
  });

  it("keeps serving the previous supergraph when the new file is broken", async () => {
    const { file, reloads, router } = await startLocalRouter();
    for (const broken of [
      "type Query {",
      'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query { a: Int }',
    ]) {
      const rejected = reloads.next();
      await file.write(broken);
      expect((await rejected).status).toBe("rejected");
      const still = await execute(router, '{ product(id: "p2") { name price } }');
      expect(still.data).toEqual({ product: { name: "Teapot", price: 1999 } });
    }

    // A plain write is not atomic: the watcher may first read it half-written (and reject that), then whole.
    const before = reloads.events.length;
    await file.write(composeSupergraph({ catalogVersion: 2 }));
    await vi.waitFor(() => expect(reloads.events.slice(before).map((e) => e.status)).toContain("updated"), {
      timeout: 5_000,
    });
    expect((await execute(router, DESCRIPTION_QUERY)).data).toEqual({
      product: { name: "Kettle", description: "Boils water." },
    });
  });

  it("sees a file replaced atomically (written elsewhere, renamed over it)", async () => {
    const { file, reloads, router } = await startLocalRouter();
    const reloaded = reloads.next();
    const staging = `${file.path}.tmp`;
    await writeFile(staging, composeSupergraph({ catalogVersion: 2 }));
    await rename(staging, file.path);
    expect(await reloaded).toEqual({ status: "updated" });
    expect((await execute(router, DESCRIPTION_QUERY)).errors).toBeUndefined();
  });

  it("keeps serving while the file is deleted and picks it up when it comes back", async () => {
    const { file, reloads, router } = await startLocalRouter();
    await rm(file.path);
    await new Promise((r) => setTimeout(r, 150));
    expect((await execute(router, '{ product(id: "p1") { name } }')).data).toEqual({ product: { name: "Kettle" } });

    const reloaded = reloads.next();
    await file.write(composeSupergraph({ catalogVersion: 2 }));
    expect((await reloaded).status).toBe("updated");
  });

  it("stops watching when the router stops", async () => {
    const { file, reloads, router } = await startLocalRouter();
    await router.stop();
    await file.write(composeSupergraph({ catalogVersion: 2 }));
    await new Promise((r) => setTimeout(r, 300));
    expect(reloads.events).toEqual([]);
  });
});
