import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { migrationsDir, packageDir, schemaDir } from "./paths.js";

/**
 * Runs the Prisma 6.19 CLI with its WASM schema engine over the pg driver adapter
 * (scripts/migrate-wasm.config.ts). Prisma 7's migrate commands need a native
 * engine that is downloaded at install time; this path needs nothing but npm.
 *
 * Prisma 6 wants `url` in the datasource block and Prisma 7 forbids it, so the
 * CLI runs on a temporary copy of schema/ with the url added. The engine-path
 * placeholders are set only for this child process.
 */
export interface PrismaWasmResult {
  code: number;
  stdout: string;
  stderr: string;
}

const require = createRequire(import.meta.url);

export async function runPrismaWasm(
  args: (schemaPath: string) => readonly string[],
  databaseUrl: string,
): Promise<PrismaWasmResult> {
  const cli = join(dirname(require.resolve("prisma-migrate-wasm/package.json")), "build", "index.js");
  const workDir = await mkdtemp(join(tmpdir(), "commerce-prisma-"));
  try {
    const schemaCopy = join(workDir, "schema");
    await cp(schemaDir, schemaCopy, { recursive: true });
    const main = join(schemaCopy, "schema.prisma");
    const source = await readFile(main, "utf8");
    const withUrl = source.replace(/provider\s*=\s*"postgresql"/, (m) => `${m}\n  url      = env("DATABASE_URL")`);
    if (withUrl === source) throw new Error(`could not find the postgresql datasource in ${main}`);
    await writeFile(main, withUrl);
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_WASM_SCHEMA: schemaCopy,
      PRISMA_WASM_MIGRATIONS: migrationsDir,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    };
    const config = join(packageDir, "scripts", "migrate-wasm.config.ts");
    const child = spawn(process.execPath, [cli, ...args(schemaCopy), "--config", config], { env, cwd: packageDir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    return { code, stdout, stderr: stderr.replace(/^Loaded Prisma config from .*\n*/m, "") };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Hand-written SQL between these marker lines is left out of the diff's shadow database. */
export const DIFF_SKIP_BEGIN = "-- prisma-diff: skip-begin";
export const DIFF_SKIP_END = "-- prisma-diff: skip-end";

/**
 * A copy of prisma/migrations without the marked blocks. The WASM engine panics
 * ("unreachable") when it introspects a CHECK constraint, and Prisma's schema
 * language cannot express CHECKs anyway, so hand-written CHECKs go between the
 * markers: the database gets them, the diff ignores them.
 */
async function migrationsWithoutSkippedBlocks(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "commerce-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  const skipped = new RegExp(`^${DIFF_SKIP_BEGIN}$[\\s\\S]*?^${DIFF_SKIP_END}$`, "gm");
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(dir, entry.name, "migration.sql");
    const sql = await readFile(file, "utf8").catch(() => undefined);
    if (sql?.includes(DIFF_SKIP_BEGIN)) await writeFile(file, sql.replace(skipped, ""));
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The SQL that takes a database built from prisma/migrations to schema.prisma,
 * computed on a scratch database (used as Prisma's shadow database). Empty when
 * the two agree.
 */
export async function diffMigrationsToSchema(scratchDatabaseUrl: string): Promise<string> {
  const migrations = await migrationsWithoutSkippedBlocks();
  try {
    const result = await runPrismaWasm(
      (schema) => [
        "migrate",
        "diff",
        "--from-migrations",
        migrations.dir,
        "--to-schema-datamodel",
        schema,
        "--script",
        "--exit-code",
      ],
      scratchDatabaseUrl,
    );
    if (result.code !== 0 && result.code !== 2)
      throw new Error(`prisma migrate diff failed:\n${result.stderr || result.stdout}`);
    return result.code === 2 ? result.stdout.trim() : "";
  } finally {
    await migrations.cleanup();
  }
}
