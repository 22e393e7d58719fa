import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@commerce/stack";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database for tooling: on the server of `serverUrl` when given (the
 * role needs CREATEDB), else on a throw-away embedded Postgres.
 */
export async function createScratchDatabase(serverUrl?: string): Promise<ScratchDatabase> {
  const name = `commerce_scratch_${randomBytes(4).toString("hex")}`;
  if (serverUrl) {
    const admin = new URL(serverUrl);
    admin.pathname = "/postgres";
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await run(`CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
  }
  const dir = await mkdtemp(join(tmpdir(), "commerce-scratch-"));
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, "postgres"),
    ephemeral: true,
    fast: true,
    database: name,
  });
  return { url: server.url, drop: () => server.stop() };
}
