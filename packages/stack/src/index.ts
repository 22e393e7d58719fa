export * from "./ports.js";
export * from "./processes.js";
export * from "./postgres.js";
export * from "./redis.js";
