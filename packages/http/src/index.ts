export * from "./serve.js";
