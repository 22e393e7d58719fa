export * from "./cache.js";
export * from "./cachedBatch.js";
export * from "./redis.js";
