export * from "./config.js";
export * from "./context.js";
export * from "./server.js";
export * from "./run.js";
export * from "./sdl.js";
export * from "./pagination.js";
export * from "./shield.js";
