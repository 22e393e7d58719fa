export * from "./serve.js";
export * from "./readiness.js";
export * from "./requestId.js";
export * from "./routerGuard.js";
export * from "./requestErrors.js";
export * from "./webSocket.js";
