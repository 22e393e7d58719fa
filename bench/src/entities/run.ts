// `_entities` for 1,000 `Product` representations on the catalog subgraph (its build, in process, over a real
// Postgres and Redis): how many SQL statements it sends and how long it takes, from Postgres (Redis empty) and
// from Redis (every entity cached).
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_DIR, ROUTER_SETTINGS } from "../gateways/gateways.js";
import { onCleanup } from "../harness/processes.js";
import { median, percentile } from "../harness/stats.js";
import { formatMs } from "../harness/table.js";
import type { RunContext } from "../harness/section.js";
import type { PhaseContext, Section } from "../federation.js";
import type { RunOptions } from "../options.js";
import { storefrontAvailable } from "../storefront/run.js";

export const ENTITY_COUNT = 1000;
const CATEGORY_COUNT = 10;
/** What the router asks the catalog for when a product grid comes from another subgraph. */
export const ENTITIES_QUERY = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id sku name available price { amount currency } category { id name } } } }`;
/** At most this many SQL statements per `_entities` call, however many representations. */
export const MAX_STATEMENTS = 2;

interface Modules {
  testing: {
    startTestInfra(): Promise<{ databaseUrl: string; redisUrl: string; stop(): Promise<void> }>;
    createQueryCounter(): {
      record(event: { query: string }): void;
      count: number;
      statements: readonly string[];
      reset(): void;
    };
  };
  db: {
    createDb(url: string, options?: { poolSize?: number; onQuery?: (event: { query: string }) => void }): PrismaLike;
  };
  cache: { connectRedis(url: string, name: string): RedisLike; createRedisCache(redis: RedisLike): unknown };
  common: { createLogger(service: string, level: string): unknown };
  catalog: {
    createServer(deps: unknown): ApolloLike;
    createContext(deps: unknown): (req: { headers: Record<string, string> }) => Promise<unknown>;
  };
  catalogConfig: { loadConfig(env: Record<string, string>): unknown };
}
interface PrismaLike {
  category: { createMany(args: { data: unknown[] }): Promise<unknown> };
  product: { createMany(args: { data: unknown[] }): Promise<unknown> };
  $disconnect(): Promise<void>;
}
interface RedisLike {
  flushdb(): Promise<unknown>;
  quit(): Promise<unknown>;
}
interface ApolloLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  executeOperation(
    request: { query: string; variables: Record<string, unknown> },
    options: { contextValue: unknown },
  ): Promise<{ body: { kind: string; singleResult?: { data?: unknown; errors?: unknown } } }>;
}

async function load(repoDir: string): Promise<Modules> {
  const require = createRequire(join(repoDir, "package.json"));
  const from = async <T>(specifier: string): Promise<T> =>
    (await import(pathToFileURL(specifier.startsWith("/") ? specifier : require.resolve(specifier)).href)) as T;
  return {
    testing: await from("@commerce/testing"),
    db: await from("@commerce/db"),
    cache: await from("@commerce/cache"),
    common: await from("@commerce/common"),
    catalog: await from("@commerce/catalog"),
    // Not exported by the package; its build is next to server.js.
    catalogConfig: await from(join(repoDir, "subgraphs/catalog/dist/config.js")),
  };
}

const uuid = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(12, "0")}`;

export async function runEntities(
  options: RunOptions,
  { log, context }: PhaseContext,
): Promise<{ sections: Section[]; failed: boolean }> {
  if (!options.scenarios.includes("entities")) return { sections: [], failed: false };
  if (!storefrontAvailable()) {
    log("entities skipped: redis-server is not on PATH (apt-get install redis-server)");
    return { sections: [], failed: false };
  }
  log(`\n== catalog _entities, ${ENTITY_COUNT} products ==`);
  const m = await load(REPO_DIR);
  const infra = await m.testing.startTestInfra();
  onCleanup(() => infra.stop());
  const fixtures = m.db.createDb(infra.databaseUrl, { poolSize: 2 });
  await fixtures.category.createMany({
    data: Array.from({ length: CATEGORY_COUNT }, (_, i) => ({
      id: uuid("b0000000-0000-4000-8000-", i),
      slug: `bench-${i}`,
      name: `Bench category ${i}`,
    })),
  });
  await fixtures.product.createMany({
    data: Array.from({ length: ENTITY_COUNT }, (_, i) => ({
      id: uuid("a0000000-0000-4000-8000-", i),
      sku: `BENCH-${i}`,
      name: `Bench product ${i}`,
      priceAmount: 100 + i,
      currency: "EUR",
      categoryId: uuid("b0000000-0000-4000-8000-", i % CATEGORY_COUNT),
    })),
  });
  await fixtures.$disconnect();

  const queries = m.testing.createQueryCounter();
  const db = m.db.createDb(infra.databaseUrl, { onQuery: queries.record });
  const redis = m.cache.connectRedis(infra.redisUrl, "catalog-bench");
  const config = m.catalogConfig.loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    JWT_SECRET: ROUTER_SETTINGS.jwtSecret,
    ROUTER_SECRET: ROUTER_SETTINGS.routerSecret,
    LOG_LEVEL: "silent",
  });
  const deps = {
    db,
    cache: m.cache.createRedisCache(redis),
    logger: m.common.createLogger("catalog", "silent"),
    config,
  };
  const server = m.catalog.createServer(deps);
  await server.start();
  const contextOf = m.catalog.createContext(deps);
  const representations = Array.from({ length: ENTITY_COUNT }, (_, i) => ({
    __typename: "Product",
    id: uuid("a0000000-0000-4000-8000-", i),
  }));
  let failed = false;

  const measure = async (path: "postgres" | "redis", iterations: number) => {
    const times: number[] = [];
    const counts: number[] = [];
    let statements: readonly string[] = [];
    for (let i = 0; i < iterations; i += 1) {
      if (path === "postgres") await redis.flushdb();
      else if (i === 0) await execute(); // fills Redis
      queries.reset();
      const started = performance.now();
      const result = await execute();
      times.push(performance.now() - started);
      counts.push(queries.count);
      statements = [...queries.statements];
      const entities = (result.data as { _entities?: unknown[] } | undefined)?._entities ?? [];
      if (result.errors || entities.length !== ENTITY_COUNT || entities.some((e) => e === null)) {
        failed = true;
        log(`  ✗ ${path}: unexpected answer ${JSON.stringify(result).slice(0, 300)}`);
      }
    }
    times.sort((a, b) => a - b);
    return { median: median(times), p95: percentile(times, 95), statements: Math.max(...counts), sample: statements };
  };
  const execute = async () => {
    const response = await server.executeOperation(
      { query: ENTITIES_QUERY, variables: { representations } },
      { contextValue: await contextOf({ headers: {} }) },
    );
    return response.body.singleResult ?? {};
  };

  try {
    const iterations = options.rounds * 5;
    await measure("postgres", 2); // warm the JIT and the connection pool
    const postgres = await measure("postgres", iterations);
    const cached = await measure("redis", iterations);
    for (const [path, figures] of [
      ["Postgres", postgres],
      ["Redis", cached],
    ] as const) {
      log(
        `  ${path}: ${figures.statements} SQL statement(s), median ${formatMs(figures.median)} ms, p95 ${formatMs(figures.p95)} ms`,
      );
    }
    if (postgres.statements > MAX_STATEMENTS) {
      failed = true;
      log(`  ✗ more than ${MAX_STATEMENTS} SQL statements:\n    ${postgres.sample.join("\n    ")}`);
    }
    const text = renderEntitiesSection(context, iterations, postgres, cached);
    log(`\n${text}\n`);
    return { sections: [{ id: "catalog-entities", text }], failed };
  } finally {
    await server.stop();
    await Promise.allSettled([db.$disconnect(), redis.quit()]);
  }
}

function renderEntitiesSection(context: RunContext, iterations: number, postgres: Figures, cached: Figures): string {
  const row = (path: string, f: Figures) =>
    `| ${path} | ${f.statements} | ${formatMs(f.median)} | ${formatMs(f.p95)} |`;
  return [
    "## Catalog: `_entities` for 1,000 products",
    "",
    `The catalog subgraph's build, in process (\`executeOperation\`, no HTTP), over a real Postgres and Redis: one \`_entities\` call with ${ENTITY_COUNT} \`Product\` representations by id (in ${CATEGORY_COUNT} categories), selecting \`id sku name available price { amount currency } category { id name }\`. SQL statements are counted at the Prisma client; the target is at most ${MAX_STATEMENTS} per call.`,
    "",
    `- Command: \`${context.command}\` (${iterations} calls per path after 2 warm-up calls)`,
    `- Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${context.machine}.`,
    `- Versions: ${context.versions}`,
    "",
    "| Path | SQL statements | median ms | p95 ms |",
    "| --- | ---: | ---: | ---: |",
    row("Postgres (Redis empty before each call)", postgres),
    row("Redis (every product and category cached)", cached),
  ].join("\n");
}

type Figures = { median: number; p95: number; statements: number };
