import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "@commerce/stack";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A Postgres server (its `commerce_test` database) whose role may create databases: each test makes its own. */
    postgresUrl: string;
  }
}

/**
 * One throw-away Postgres for this package's int tests. Not `@commerce/testing`'s setup, which depends on this
 * package (it migrates with it), and these tests need empty databases to migrate themselves.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), "commerce-db-test-"));
  const postgres = await startEmbeddedPostgres({
    dataDir: join(root, "postgres"),
    ephemeral: true,
    fast: true,
    database: "commerce_test",
  });
  project.provide("postgresUrl", postgres.url);
  return () => postgres.stop();
}
