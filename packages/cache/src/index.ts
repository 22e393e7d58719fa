export * from "./cache.js";
export * from "./cachedBatch.js";
export * from "./config.js";
export * from "./redis.js";
