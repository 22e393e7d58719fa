import { defineConfig } from "prisma/config";

// The client is generated offline; the URL is only read by CLI commands that
// connect (migrate against the native engine, studio).
export default defineConfig({
  schema: "schema",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/commerce" },
});
