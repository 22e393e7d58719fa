import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildManifest } from "../src/persisted/manifest.js";
import { createRouter, type Router } from "../src/server.js";
import { composeSupergraph } from "./fixtures/subgraphs.js";
import {
  bearer,
  execute,
  localGateway,
  silentLogger,
  tempSupergraph,
  testConfig,
  type SubgraphRequest,
} from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A started router over the inline subgraphs; `requests` records every subgraph operation. */
async function startRouter(
  env: Record<string, string> = {},
): Promise<{ router: Router; requests: SubgraphRequest[]; dir: string }> {
  const file = await tempSupergraph(composeSupergraph());
  const requests: SubgraphRequest[] = [];
  const dir = file.path.replace(/\/supergraph\.graphql$/, "");
  const router = createRouter({
    config: testConfig(file.path, env),
    logger: silentLogger,
    gateway: localGateway(file.path, { requests }),
  });
  await router.apollo.start();
  cleanups.push(file.remove, router.stop);
  return { router, requests, dir };
}

const PRIVATE = "{ me { name email favorites { name supplierCost } } }";

describe("field authorization (filter, the default)", () => {
  it("filters unauthorized fields to null with errors at their paths while authorized siblings resolve", async () => {
    const { router, requests } = await startRouter();
    const result = await execute(router, PRIVATE, { headers: { authorization: await bearer("u1", []) } });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({
      me: {
        name: "Ada",
        email: null,
        favorites: [
          { name: "Kettle", supplierCost: null },
          { name: "Teapot", supplierCost: null },
        ],
      },
    });
    expect(result.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["me", "email"]],
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["me", "favorites", "@", "supplierCost"]],
    ]);
    // The denied fields never reached a subgraph: two fetches, neither asking for them.
    expect(requests).toHaveLength(2);
    for (const { query } of requests) expect(query).not.toMatch(/email|supplierCost/);
  });

  it("lets a caller with the scopes see everything", async () => {
    const { router, requests } = await startRouter();
    const result = await execute(router, PRIVATE, {
      headers: { authorization: await bearer("u1", ["users:read", "catalog:write"]) },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({
      me: { email: "ada@example.com", favorites: [{ supplierCost: 1200 }, { supplierCost: 800 }] },
    });
    expect(requests.some((r) => r.query.includes("supplierCost"))).toBe(true);
  });

  it("filters the same document anew for each kind of caller, also when it is served again", async () => {
    const { router, requests } = await startRouter();
    const [plain, reader, staff] = await Promise.all([
      bearer("u1", []),
      bearer("u1", ["users:read"]),
      bearer("u1", ["users:read", "catalog:write"]),
    ]);
    for (let round = 0; round < 2; round++) {
      const anonymous = await execute(router, PRIVATE);
      expect(anonymous.data).toEqual({ me: null });
      expect((await execute(router, PRIVATE, { headers: { authorization: plain } })).data).toMatchObject({
        me: { email: null, favorites: [{ supplierCost: null }, { supplierCost: null }] },
      });
      expect((await execute(router, PRIVATE, { headers: { authorization: reader } })).data).toMatchObject({
        me: { email: "ada@example.com", favorites: [{ supplierCost: null }, { supplierCost: null }] },
      });
      const all = await execute(router, PRIVATE, { headers: { authorization: staff } });
      expect(all.errors).toBeUndefined();
      expect(all.data).toMatchObject({
        me: { email: "ada@example.com", favorites: [{ supplierCost: 1200 }, { supplierCost: 800 }] },
      });
    }
    // Each caller class's document reached the subgraphs with only what that caller may see.
    expect(requests.filter((r) => r.query.includes("supplierCost"))).toHaveLength(2);
  });

  it("nulls the parent of a denied non-null field and does not call its subgraph at all", async () => {
    const { router, requests } = await startRouter();
    const result = await execute(router, '{ me { name internalNote } product(id: "p1") { name } }', {
      headers: { authorization: await bearer() },
    });
    expect(result.data).toEqual({ product: { name: "Kettle" }, me: null });
    expect(result.errors?.map((e) => e.extensions?.field)).toEqual(["User.internalNote"]);
    expect(requests.map((r) => r.service)).toEqual(["catalog"]);
  });

  it("answers data null without calling any subgraph when nothing authorized is left", async () => {
    const { router, requests } = await startRouter();
    const result = await execute(router, "{ secret { code } }");
    expect(result.data).toEqual({ secret: null });
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHORIZED_FIELD_OR_TYPE");
    expect(requests).toEqual([]);
  });

  it("refuses an access token that does not verify with 401 UNAUTHENTICATED", async () => {
    const { router, requests } = await startRouter();
    const forged = `${(await bearer()).slice(0, -4)}AAAA`;
    const result = await execute(router, "{ me { name } }", { headers: { authorization: forged } });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
    expect(requests).toEqual([]);
  });
});

describe("field authorization modes", () => {
  it("reject refuses the whole operation with 403, naming the fields", async () => {
    const { router, requests } = await startRouter({ AUTHORIZATION_MODE: "reject" });
    const result = await execute(router, PRIVATE, { headers: { authorization: await bearer() } });
    expect(result.status).toBe(403);
    expect(result.errors?.[0]?.extensions).toEqual({
      code: "UNAUTHORIZED_FIELD_OR_TYPE",
      fields: ["User.email", "Product.supplierCost"],
    });
    expect(requests).toEqual([]);
  });

  it("dry_run runs the operation as is and reports what it would filter", async () => {
    const { router } = await startRouter({ AUTHORIZATION_MODE: "dry_run" });
    const result = await execute(router, PRIVATE, { headers: { authorization: await bearer() } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ me: { email: "ada@example.com" } });
    const body = result as unknown as {
      extensions: { authorization: { dryRun: boolean; denied: { coordinate: string }[] } };
    };
    expect(body.extensions.authorization.denied.map((d) => d.coordinate)).toEqual([
      "User.email",
      "Product.supplierCost",
    ]);
  });
});

describe("demand control", () => {
  const EXPENSIVE = "{ products(first: 50) { edges { node { name rating } } } }";

  it("enforce refuses an operation estimated above the max before any subgraph call", async () => {
    const { router, requests } = await startRouter({ COST_MAX: "100" });
    const result = await execute(router, EXPENSIVE);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toEqual({
      code: "COST_ESTIMATED_TOO_EXPENSIVE",
      cost: { estimated: 351, max: 100 },
    });
    expect(requests).toEqual([]);
  });

  it("measure runs it, and reports estimated and actual cost when the header asks", async () => {
    const { router } = await startRouter({ COST_MAX: "100", COST_MODE: "measure" });
    const result = await execute(router, EXPENSIVE, { headers: { "x-include-cost": "true" } });
    expect(result.errors).toBeUndefined();
    const { extensions } = result as unknown as { extensions: { cost: unknown } };
    // 2 products exist: 1 + 2 × (edge 1 + node 1 + rating 5)
    expect(extensions.cost).toEqual({ estimated: 351, estimatedDocument: 351, actual: 15, max: 100, mode: "measure" });
    expect((await execute(router, EXPENSIVE)) as object).not.toHaveProperty("extensions");
  });

  it("estimates the same document again for other variables", async () => {
    const { router } = await startRouter({ COST_MAX: "100" });
    const query = "query Page($n: Int) { products(first: $n) { edges { node { name rating } } } }";
    for (const [n, status] of [
      [2, 200],
      [50, 400],
      [2, 200],
      [50, 400],
    ] as const) {
      const result = await execute(router, query, { variables: { n } });
      expect(result.status, `first: ${n}`).toBe(status);
    }
  });

  // Document: me 1 + favorites 10 × Product 1 = 11. Plan: the catalog fetch adds 1 + 10 representations × 1 = 22.
  const CROSSING = "{ me { favorites { name } } }";

  it("enforces the plan-level estimate (entity fetches counted) before any subgraph call", async () => {
    const { router, requests } = await startRouter({ COST_MAX: "15" });
    const result = await execute(router, CROSSING, { headers: { authorization: await bearer() } });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toEqual({
      code: "COST_ESTIMATED_TOO_EXPENSIVE",
      cost: { estimated: 22, max: 15 },
    });
    // Below the max as a document, refused once planned: neither accounts nor catalog was called.
    expect(requests).toEqual([]);
    const cheap = await startRouter({ COST_MAX: "22" });
    expect((await execute(cheap.router, CROSSING, { headers: { authorization: await bearer() } })).data).toEqual({
      me: { favorites: [{ name: "Kettle" }, { name: "Teapot" }] },
    });
    expect(cheap.requests.map((r) => r.service)).toEqual(["accounts", "catalog"]);
  });

  it("reports both estimates, and the per-fetch weight is configurable", async () => {
    const { router } = await startRouter({ COST_MODE: "measure", COST_MAX: "15", COST_ENTITY_FETCH_WEIGHT: "5" });
    const result = await execute(router, CROSSING, {
      headers: { authorization: await bearer(), "x-include-cost": "true" },
    });
    expect(result.errors).toBeUndefined();
    const { extensions } = result as unknown as { extensions: { cost: unknown } };
    // me 1 + 2 favorites × 1 actually resolved.
    expect(extensions.cost).toEqual({ estimated: 26, estimatedDocument: 11, actual: 3, max: 15, mode: "measure" });
  });
});

describe("operation limits through the router", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["MAX_DEPTH_LIMIT", { MAX_QUERY_DEPTH: "1" }, "{ me { favorites { name } } }"],
    ["MAX_HEIGHT_LIMIT", { MAX_QUERY_HEIGHT: "2" }, "{ me { name favorites { name } } }"],
    ["MAX_ALIASES_LIMIT", { MAX_ALIASES: "1" }, '{ a: product(id: "p1") { name } b: product(id: "p2") { name } }'],
    ["MAX_ROOT_FIELDS_LIMIT", { MAX_ROOT_FIELDS: "1" }, '{ me { name } product(id: "p1") { name } }'],
    ["MAX_DIRECTIVES_LIMIT", { MAX_DIRECTIVES: "1" }, "{ me @include(if: true) { name @skip(if: false) } }"],
    ["MAX_SELECTIONS_LIMIT", { MAX_SELECTIONS: "3" }, "{ me { name name name name } }"],
    ["MAX_TOKENS_LIMIT", { MAX_TOKENS: "5" }, "{ me { name } }"],
    ["MAX_RECURSION_LIMIT", { MAX_PARSER_RECURSION: "2" }, "{ me { favorites { name } } }"],
  ];

  for (const [code, env, query] of cases) {
    it(`refuses with 400 ${code} before any subgraph call, and warns in warn mode`, async () => {
      const enforced = await startRouter(env);
      const result = await execute(enforced.router, query, { headers: { authorization: await bearer() } });
      expect(result.status).toBe(400);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      expect(result.errors?.[0]?.extensions?.limit).toEqual({
        measured: expect.any(Number),
        max: Number(Object.values(env)[0]),
      });
      expect(enforced.requests).toEqual([]);

      const warned = await startRouter({ ...env, LIMITS_MODE: "warn" });
      const ran = await execute(warned.router, query, { headers: { authorization: await bearer() } });
      expect(ran.status).toBe(200);
      expect(ran.errors).toBeUndefined();
      const { extensions } = ran as unknown as { extensions: { limitWarnings: { code: string }[] } };
      expect(extensions.limitWarnings.map((w) => w.code)).toContain(code);
    });
  }
});

describe("safelisting", () => {
  const LISTED = 'query Kettle {\n  product(id: "p1") {\n    name\n  }\n}';

  async function withManifest(mode: string) {
    const started = await startRouter();
    const manifest = join(started.dir, "manifest.json");
    await writeFile(manifest, JSON.stringify(buildManifest([{ path: "Kettle.graphql", source: LISTED }])));
    return startRouter({ SAFELIST_MODE: mode, SAFELIST_MANIFEST: manifest });
  }

  it("safelist refuses operations not in the manifest and runs those in it, however formatted", async () => {
    const { router, requests } = await withManifest("safelist");
    const unknown = await execute(router, '{ product(id: "p2") { name } }');
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_IN_LIST"]);
    expect(requests).toEqual([]);
    expect((await execute(router, LISTED)).data).toEqual({ product: { name: "Kettle" } });
    expect((await execute(router, 'query Kettle { product(id: "p1") { name } }')).data).toEqual({
      product: { name: "Kettle" },
    });
  });

  it("log mode runs unknown operations", async () => {
    const { router } = await withManifest("log");
    expect((await execute(router, '{ product(id: "p2") { name } }')).data).toEqual({ product: { name: "Teapot" } });
  });
});

describe("production hygiene", () => {
  it("masks internal subgraph errors (code kept) and gives no field suggestions", async () => {
    const production = { NODE_ENV: "production" };
    const { router } = await startRouter(production);
    const broken = await execute(router, "{ broken }");
    expect(JSON.stringify(broken.errors)).not.toContain("db-internal");
    expect(broken.errors?.[0]).toMatchObject({ message: "Internal server error.", path: ["broken"] });
    expect(broken.errors?.[0]?.extensions).not.toHaveProperty("stacktrace");
    const typo = await execute(router, '{ product(id: "p1") { nam } }');
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.errors)).not.toContain("Did you mean");

    const dev = await startRouter();
    expect(JSON.stringify((await execute(dev.router, "{ broken }")).errors)).toContain("db-internal");
    expect(JSON.stringify((await execute(dev.router, '{ product(id: "p1") { nam } }')).errors)).toContain(
      "Did you mean",
    );
  });
});
