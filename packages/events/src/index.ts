export * from "./orderEvents.js";
