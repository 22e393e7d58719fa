import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@commerce/common";
import { loadStartConfig } from "../src/config.js";

/** A folder shaped like a built checkout: schema/subgraphs.json and the entry points it names. */
function builtRoot(names = ["accounts", "catalog"]): string {
  const root = mkdtempSync(join(tmpdir(), "start-config-"));
  mkdirSync(join(root, "schema"));
  const subgraphs = names.map((name, i) => ({ name, url: `http://localhost:${4001 + i}/graphql` }));
  writeFileSync(join(root, "schema", "subgraphs.json"), JSON.stringify({ subgraphs }));
  for (const dir of [...names.map((name) => join("subgraphs", name)), "router"]) {
    mkdirSync(join(root, dir, "dist"), { recursive: true });
    writeFileSync(join(root, dir, "dist", "index.js"), "");
  }
  return root;
}

const secret = "x".repeat(32);
const env = {
  DATABASE_URL: "postgresql://u:p@db:5432/commerce",
  REDIS_URL: "redis://cache:6379",
  JWT_SECRET: secret,
  ROUTER_SECRET: secret,
  ORDERS_SERVICE_SECRET: "o".repeat(32),
  REVIEWS_SERVICE_SECRET: "r".repeat(32),
};

function problems(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadStartConfig", () => {
  const root = builtRoot();

  it("reads the subgraphs, their ports and the built entry points", () => {
    const config = loadStartConfig([], env, root);
    expect(config.subgraphs.map((s) => [s.name, s.port])).toEqual([
      ["accounts", 4001],
      ["catalog", 4002],
    ]);
    expect(config.subgraphs[0]?.entry).toBe(join(root, "subgraphs", "accounts", "dist", "index.js"));
    expect(config).toMatchObject({
      seed: "off",
      routerWorkers: 1,
      routerPort: 4000,
      routerEntry: join(root, "router", "dist", "index.js"),
    });
  });

  it("names every missing variable at once", () => {
    const found = problems(() => loadStartConfig([], {}, root));
    expect(found.map((p) => p.split(" ")[0])).toEqual([
      "DATABASE_URL",
      "REDIS_URL",
      "JWT_SECRET",
      "ROUTER_SECRET",
      "ORDERS_SERVICE_SECRET",
      "REVIEWS_SERVICE_SECRET",
    ]);
  });

  it("gives orders and reviews each its own key, and the catalog the callers it trusts", () => {
    expect(loadStartConfig([], env, root).serviceEnv).toEqual({
      orders: { SERVICE_SECRET: "o".repeat(32) },
      reviews: { SERVICE_SECRET: "r".repeat(32) },
      catalog: { TRUSTED_SERVICES: `orders:${"o".repeat(32)},reviews:${"r".repeat(32)}` },
    });
  });

  it("rejects URLs of the wrong kind", () => {
    const found = problems(() =>
      loadStartConfig([], { ...env, DATABASE_URL: "mysql://db/x", REDIS_URL: "http://cache" }, root),
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^DATABASE_URL must use postgres: or postgresql:/);
    expect(found[1]).toMatch(/^REDIS_URL must use redis: or rediss:/);
  });

  it("accepts JWT_JWKS_URL instead of JWT_SECRET", () => {
    expect(
      problems(() =>
        loadStartConfig([], { ...env, JWT_SECRET: undefined, JWT_JWKS_URL: "https://id.example.com/jwks.json" }, root),
      ),
    ).toEqual([]);
  });

  it("seeds only when SEED asks", () => {
    expect(loadStartConfig([], { ...env, SEED: "true" }, root).seed).toBe("all");
    expect(loadStartConfig([], { ...env, SEED: "catalog" }, root).seed).toBe("catalog");
    expect(loadStartConfig([], { ...env, SEED: "false" }, root).seed).toBe("off");
    expect(problems(() => loadStartConfig([], { ...env, SEED: "yes please" }, root))).toEqual([
      'SEED must be true, catalog or false, got "yes please"',
    ]);
  });

  it("takes --workers over ROUTER_WORKERS", () => {
    expect(loadStartConfig([], { ...env, ROUTER_WORKERS: "3" }, root).routerWorkers).toBe(3);
    expect(loadStartConfig(["--workers", "2"], { ...env, ROUTER_WORKERS: "3" }, root).routerWorkers).toBe(2);
    expect(loadStartConfig(["--workers=4"], env, root).routerWorkers).toBe(4);
    expect(loadStartConfig(["--workers", "auto"], env, root).routerWorkers).toBeGreaterThanOrEqual(1);
    expect(problems(() => loadStartConfig(["--workers", "0"], env, root))).toEqual([
      '--workers must be a whole number from 1 to 256 or "auto", got "0"',
    ]);
    expect(problems(() => loadStartConfig(["--verbose"], env, root))).toEqual([
      'unknown argument "--verbose" (npm start accepts --workers N)',
    ]);
  });

  it("caps every service's heap: its own variable, else NODE_HEAP_MB, else its default", () => {
    expect(loadStartConfig([], env, root).heapMb).toEqual({ router: 256, accounts: 192, catalog: 192 });
    expect(loadStartConfig([], { ...env, NODE_HEAP_MB: "320" }, root).heapMb).toEqual({
      router: 320,
      accounts: 320,
      catalog: 320,
    });
    expect(
      loadStartConfig([], { ...env, NODE_HEAP_MB: "320", ROUTER_HEAP_MB: "512", CATALOG_HEAP_MB: "160" }, root).heapMb,
    ).toEqual({ router: 512, accounts: 320, catalog: 160 });
    expect(problems(() => loadStartConfig([], { ...env, NODE_HEAP_MB: "1.5g", ORDERS_HEAP_MB: "64" }, root))).toEqual([
      'NODE_HEAP_MB must be an integer between 96 and 65536, got "1.5g"',
    ]);
    expect(problems(() => loadStartConfig([], { ...env, ACCOUNTS_HEAP_MB: "64" }, root))).toEqual([
      'ACCOUNTS_HEAP_MB must be an integer between 96 and 65536, got "64"',
    ]);
  });

  it("says to build first when an entry point is missing", () => {
    const unbuilt = builtRoot(["accounts"]);
    writeFileSync(
      join(unbuilt, "schema", "subgraphs.json"),
      JSON.stringify({ subgraphs: [{ name: "reviews", url: "http://localhost:4005/graphql" }] }),
    );
    const found = problems(() => loadStartConfig([], env, unbuilt));
    expect(found).toEqual([
      `${join(unbuilt, "subgraphs", "reviews", "dist", "index.js")} does not exist: run \`npm run build\` first`,
    ]);
  });
});
