export { createDb, type Db, type DbOptions } from "./client.js";
export { migrate, readMigrations, MigrationError, type MigrationResult } from "./migrate.js";
export * from "../generated/client.js";
