export * from "./cache.js";
export * from "./cachedBatch.js";
