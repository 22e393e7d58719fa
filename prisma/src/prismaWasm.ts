import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

export async function runPrismaWasm(args: (schemaPath: string) => readonly string[], databaseUrl: string): Promise<PrismaWasmResult> {
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

/**
 * The SQL that takes a database built from prisma/migrations to schema.prisma,
 * computed on a scratch database (used as Prisma's shadow database). Empty when
 * the two agree.
 */
export async function diffMigrationsToSchema(scratchDatabaseUrl: string): Promise<string> {
  const result = await runPrismaWasm(
    (schema) => ["migrate", "diff", "--from-migrations", migrationsDir, "--to-schema-datamodel", schema, "--script", "--exit-code"],
    scratchDatabaseUrl,
  );
  if (result.code !== 0 && result.code !== 2) throw new Error(`prisma migrate diff failed:\n${result.stderr || result.stdout}`);
  return result.code === 2 ? result.stdout.trim() : "";
}
