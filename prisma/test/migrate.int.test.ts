import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { migrate, MigrationError, readMigrations } from "../src/migrate.js";
import { migrationsDir } from "../src/paths.js";
import { createScratchDatabase, type ScratchDatabase } from "../src/scratch.js";

const scratches: ScratchDatabase[] = [];
const folders: string[] = [];
async function emptyDatabase(): Promise<string> {
  const scratch = await createScratchDatabase(inject("postgresUrl"));
  scratches.push(scratch);
  return scratch.url;
}
afterEach(async () => {
  await Promise.all(scratches.splice(0).map((s) => s.drop()));
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function bookkeeping(url: string): Promise<{ migration_name: string; checksum: string; finished: boolean }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** A copy of the committed migrations plus `extra` (name → SQL), in a folder of its own. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "commerce-migrations-"));
  folders.push(dir);
  await cp(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migrate", () => {
  it("applies every committed migration in name order on an empty database, with Prisma's bookkeeping, and none the second time", async () => {
    const url = await emptyDatabase();
    const committed = await readMigrations();
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.map((m) => m.name)).toEqual([...committed.map((m) => m.name)].sort());

    const first = await migrate(url);
    expect(first).toEqual({ applied: committed.map((m) => m.name), alreadyApplied: 0 });
    expect(await bookkeeping(url)).toEqual(
      committed.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true })),
    );

    expect(await migrate(url)).toEqual({ applied: [], alreadyApplied: committed.length });
  });

  it("records a failing migration and refuses to go on until it is resolved", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsWith({ "99990101000000_broken": "SELECT no_such_column FROM no_such_table;" });
    await expect(migrate(url, { dir })).rejects.toThrow(MigrationError);
    const rows = await bookkeeping(url);
    expect(rows.at(-1)).toMatchObject({ migration_name: "99990101000000_broken", finished: false });
    expect(rows.slice(0, -1).every((r) => r.finished)).toBe(true);
    await expect(migrate(url, { dir })).rejects.toThrow(
      /99990101000000_broken failed earlier and blocks new migrations/,
    );
  });

  it("warns when a migration was edited after it was applied, and applies nothing for it", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsWith({ "99990101000000_extra": "CREATE TABLE extra_table (id int);" });
    await migrate(url, { dir });
    await writeFile(join(dir, "99990101000000_extra", "migration.sql"), "CREATE TABLE extra_table (id bigint);");
    const lines: string[] = [];
    expect(await migrate(url, { dir, log: (line) => lines.push(line) })).toMatchObject({ applied: [] });
    expect(lines).toEqual(["warning: migration 99990101000000_extra was modified after it was applied"]);
  });
});
