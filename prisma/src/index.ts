export { findGrouped, findKeyed } from "./batch.js";
export { createDb, isUniqueViolation, poolStats, type Db, type DbClient, type DbOptions } from "./client.js";
export { migrate, readMigrations, MigrationError, type MigrationResult } from "./migrate.js";
export { seed, type SeedOptions, type SeedResult } from "./seed.js";
export { buildSeedData, stableId, SEED_PASSWORD, DEMO_USERS } from "./seedData.js";
export * from "../generated/client.js";
