import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedisCostBudget } from "../src/demandControl/costBudget.js";
import { createRouter, type Router } from "../src/server.js";
import { composeSupergraph } from "./fixtures/subgraphs.js";
import { bearer, execute, localGateway, silentLogger, tempSupergraph, testConfig } from "./helpers.js";

let redis: Redis;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => {
  redis = new Redis(inject("redisUrl"));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => redis.disconnect());

async function startRouter(env: Record<string, string> = {}): Promise<Router> {
  const file = await tempSupergraph(composeSupergraph());
  const router = createRouter({
    config: testConfig(file.path, { REDIS_URL: inject("redisUrl"), ...env }),
    logger: silentLogger,
    gateway: localGateway(file.path),
    redis,
  });
  await router.apollo.start();
  cleanups.push(file.remove, router.stop);
  return router;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("per-client cost budget in Redis", () => {
  it("refuses a client that spent its budget with 429 + Retry-After, spares other clients, and recovers after the window", async () => {
    await redis.flushall();
    const router = await startRouter({ COST_BUDGET: "40", COST_BUDGET_WINDOW_SECONDS: "2" });
    // Windows are fixed (aligned to the clock): start early in one so the first requests share it.
    while (Date.now() % 2000 > 300) await sleep(20);
    const heavy = { headers: { authorization: await bearer("heavy") } };
    const light = { headers: { authorization: await bearer("light") } };
    const EXPENSIVE = "{ products(first: 5) { edges { node { name rating } } } }"; // 1 + 5 × 7 = 36
    const CHEAP = '{ product(id: "p1") { name } }'; // 1

    expect((await execute(router, EXPENSIVE, heavy)).status).toBe(200);
    const refused = await execute(router, EXPENSIVE, heavy);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "COST_BUDGET_EXHAUSTED",
      cost: { estimated: 36, remaining: 4, budget: 40 },
    });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // A refused operation is not charged: the heavy client can still afford a cheap one.
    expect((await execute(router, CHEAP, heavy)).status).toBe(200);
    // Another client has its own budget.
    expect((await execute(router, EXPENSIVE, light)).status).toBe(200);

    await sleep(retryAfter * 1000 + 100);
    expect((await execute(router, EXPENSIVE, heavy)).status).toBe(200);
  });

  it("bills an anonymous caller by its address: a new client name does not buy a fresh budget", async () => {
    await redis.flushall();
    const router = await startRouter({ COST_BUDGET: "40", COST_BUDGET_WINDOW_SECONDS: "60" });
    // Both requests must fall in one (clock-aligned) window.
    while (Date.now() % 60_000 > 58_000) await sleep(50);
    const EXPENSIVE = "{ products(first: 5) { edges { node { name rating } } } }"; // 36
    expect((await execute(router, EXPENSIVE, { headers: { "apollographql-client-name": "app-1" } })).status).toBe(200);
    const rotated = await execute(router, EXPENSIVE, { headers: { "apollographql-client-name": "app-2" } });
    expect(rotated.status).toBe(429);
    expect(rotated.errors?.[0]?.extensions).toMatchObject({
      code: "COST_BUDGET_EXHAUSTED",
      cost: { remaining: 4, budget: 40 },
    });
    expect(await redis.keys("router:cost-budget:*")).toEqual([
      expect.stringMatching(/^router:cost-budget:ip:unknown:\d+$/),
    ]);
  });

  it("keeps one counter per client and window under router:cost-budget:", async () => {
    await redis.flushall();
    const budget = createRedisCostBudget(redis, { budget: 10, windowSeconds: 60 });
    expect(await budget.charge("user:u1", 7)).toMatchObject({ allowed: true, spent: 7, remaining: 3 });
    expect(await budget.charge("user:u1", 7)).toMatchObject({ allowed: false, spent: 7, remaining: 3 });
    expect(await budget.charge("user:u2", 7)).toMatchObject({ allowed: true, spent: 7 });
    const keys = await redis.keys("router:cost-budget:*");
    expect(keys.sort()).toEqual([
      expect.stringMatching(/^router:cost-budget:user:u1:\d+$/),
      expect.stringMatching(/^router:cost-budget:user:u2:\d+$/),
    ]);
    expect(await redis.pttl(keys[0] ?? "")).toBeGreaterThan(0);
  });
});

describe("automatic persisted queries in Redis", () => {
  it("registers a query by its hash and serves it to any router instance sharing Redis", async () => {
    await redis.flushall();
    const query = '{ product(id: "p2") { name } }';
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const first = await startRouter();

    const unknown = await execute(first, undefined, { extensions });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await execute(first, query, { extensions })).data).toEqual({ product: { name: "Teapot" } });
    // Apollo stores the registration without awaiting it.
    for (let i = 0; i < 50 && !(await redis.exists(`router:apq:${sha256Hash}`)); i += 1) await sleep(20);
    expect(await redis.get(`router:apq:${sha256Hash}`)).toBe(query);
    expect(await redis.ttl(`router:apq:${sha256Hash}`)).toBeGreaterThan(0);

    const second = await startRouter();
    expect((await execute(second, undefined, { extensions })).data).toEqual({ product: { name: "Teapot" } });
  });
});
