import { randomBytes } from "node:crypto";
import { appendFile, cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "@commerce/stack";
import { postGraphQL } from "@commerce/testing";
import { repoRoot } from "../src/config.js";
import { startDevLoop, type DevLoop, type DevLoopEvent } from "../src/loop.js";

// The dev loop with real processes: a copy of the catalog subgraph (edited here, never the repository's) and the
// repository's router, against the run's Postgres and Redis. The router serves only the catalog, which is enough to
// see a schema change reach it and a code change restart one service.
const PROBE_QUERY = "{ categories { id devLoopProbe } }";
const WAIT_MS = 60_000;

let root: string;
let catalogDir: string;
let routerUrl: string;
let loop: DevLoop;
const events: DevLoopEvent[] = [];
const lines: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; dev loop said:\n${lines.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const eventsAfter = (index: number) => events.slice(index);
const readyAfter = (index: number, service: string) =>
  eventsAfter(index).find(
    (e): e is Extract<DevLoopEvent, { type: "ready" }> => e.type === "ready" && e.service === service,
  );

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "commerce-dev-loop-"));
  // The copy resolves @commerce/* and every other dependency through the repository's node_modules.
  await symlink(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  catalogDir = join(root, "subgraphs", "catalog");
  await cp(join(repoRoot, "subgraphs", "catalog"), catalogDir, {
    recursive: true,
    filter: (source) => !["node_modules", "dist", "test", "tsconfig.json"].includes(basename(source)),
  });
  const [catalogPort, routerPort] = [await freePort(), await freePort()];
  routerUrl = `http://127.0.0.1:${routerPort}/graphql`;
  loop = await startDevLoop({
    subgraphs: [{ name: "catalog", dir: catalogDir, port: catalogPort }],
    router: { dir: join(repoRoot, "router"), port: routerPort, host: "127.0.0.1" },
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: inject("databaseUrl"),
      REDIS_URL: inject("redisUrl"),
      NODE_ENV: "development",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      ROUTER_SECRET: randomBytes(32).toString("hex"),
      SUBGRAPH_CATALOG_URL: `http://127.0.0.1:${catalogPort}/graphql`,
    },
    supergraphPath: join(root, "supergraph.graphql"),
    workspaceRoot: repoRoot,
    debounceMs: 100,
    log: (line) => lines.push(line),
    onEvent: (event) => events.push(event),
  });
}, 120_000);

afterAll(async () => {
  await loop?.stop();
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

describe("npm run dev's reload loop", () => {
  let goodSchema: string;

  it("serves a field added to a subgraph's schema.graphql once the supergraph is recomposed, restarting that subgraph only", async () => {
    expect(loop.pids().catalog).toBeDefined();
    const before = await postGraphQL(routerUrl, PROBE_QUERY);
    expect(before.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const pids = loop.pids();
    const mark = events.length;

    const schemaPath = join(catalogDir, "schema.graphql");
    const schema = await readFile(schemaPath, "utf8");
    const categoryType = 'type Category @key(fields: "id") {\n';
    expect(schema).toContain(categoryType);
    goodSchema = schema.replace(
      categoryType,
      `${categoryType}  """\n  Added by the dev loop's test.\n  """\n  devLoopProbe: String\n`,
    );
    await writeFile(schemaPath, goodSchema);

    const after = await until("the router to serve Category.devLoopProbe", async () => {
      const response = await postGraphQL<{ categories: unknown[] }>(routerUrl, PROBE_QUERY);
      return response.errors === undefined ? response : undefined;
    });
    expect(Array.isArray(after.data?.categories)).toBe(true);
    expect(eventsAfter(mark).some((e) => e.type === "composed")).toBe(true);
    expect(readyAfter(mark, "catalog")?.pid).not.toBe(pids.catalog);
    expect(loop.pids().router).toBe(pids.router);
  }, 90_000);

  it("prints a composition error and keeps serving the last supergraph that composed", async () => {
    const pids = loop.pids();
    const mark = events.length;
    const broken = goodSchema.replace("devLoopProbe: String", "devLoopProbe: NoSuchType");
    await writeFile(join(catalogDir, "schema.graphql"), broken);

    const failed = await until("the composition error", () =>
      eventsAfter(mark).find((e) => e.type === "compositionFailed"),
    );
    expect(failed.problems.join("\n")).toContain("NoSuchType");
    expect(lines.some((line) => line.includes("NoSuchType"))).toBe(true);
    const response = await postGraphQL(routerUrl, PROBE_QUERY);
    expect(response.errors).toBeUndefined();
    expect(loop.pids()).toEqual(pids);

    // Fixed again: it composes, so the catalog restarts and the supergraph is written (the same one as before).
    const fixed = events.length;
    await writeFile(join(catalogDir, "schema.graphql"), goodSchema);
    await until("the fixed schema to compose", () => eventsAfter(fixed).find((e) => e.type === "composed"));
  }, 90_000);

  it("restarts only the service whose code changed", async () => {
    const pids = loop.pids();
    const mark = events.length;
    await appendFile(join(catalogDir, "src", "server.ts"), "\n// touched by the dev loop's test\n");

    const ready = await until("catalog to restart", () => readyAfter(mark, "catalog"));
    expect(ready.pid).not.toBe(pids.catalog);
    expect(loop.pids().router).toBe(pids.router);
    expect(
      eventsAfter(mark)
        .filter((e) => e.type === "ready")
        .map((e) => e.type === "ready" && e.service),
    ).toEqual(["catalog"]);
    const response = await postGraphQL(routerUrl, PROBE_QUERY);
    expect(response.errors).toBeUndefined();
  }, 90_000);

  it("reports a service that fails to start and waits for the next change instead of restarting it in a loop", async () => {
    const serverPath = join(catalogDir, "src", "server.ts");
    const server = await readFile(serverPath, "utf8");
    const mark = events.length;
    await writeFile(serverPath, `${server}\nthrow new Error("broken by the dev loop's test");\n`);

    await until("catalog's failure", () =>
      eventsAfter(mark).find((e) => e.type === "failed" && e.service === "catalog"),
    );
    expect(loop.pids().catalog).toBeUndefined();
    // Nothing changes, so nothing restarts: a second of quiet, still one failure and no new process.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(eventsAfter(mark).filter((e) => "service" in e && e.service === "catalog")).toHaveLength(1);
    expect(loop.pids().catalog).toBeUndefined();

    const fixed = events.length;
    await writeFile(serverPath, server);
    await until("catalog to start again", () => readyAfter(fixed, "catalog"));
    const response = await postGraphQL(routerUrl, PROBE_QUERY);
    expect(response.errors).toBeUndefined();
  }, 90_000);
});
