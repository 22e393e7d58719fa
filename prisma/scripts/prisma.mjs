#!/usr/bin/env node
// Runs the Prisma 7 CLI. `prisma generate` only checks that a schema-engine file
// exists; where Prisma's native engines could not be downloaded (offline
// machines, npm's blocked install scripts) we point it at a placeholder so
// generation works anyway. With real engines installed, or
// PRISMA_SCHEMA_ENGINE_BINARY set by the user, nothing is changed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const prismaDir = dirname(require.resolve("prisma/package.json"));
const cli = join(prismaDir, "build", "index.js");
// @prisma/engines is the CLI's own dependency: resolve it from there.
const enginesDir = dirname(createRequire(join(prismaDir, "package.json")).resolve("@prisma/engines/package.json"));
const hasNativeEngine = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));

const env = { ...process.env, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasNativeEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
  cwd: join(import.meta.dirname, ".."),
});
process.exit(result.status ?? 1);
