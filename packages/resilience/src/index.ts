export * from "./failure.js";
export * from "./policy.js";
export * from "./retryBudget.js";
