export * from "./serve.js";
export * from "./readiness.js";
export * from "./requestId.js";
export * from "./callerGuard.js";
export * from "./serviceSignature.js";
export * from "./signatureWindow.js";
export * from "./requestErrors.js";
export * from "./webSocket.js";
