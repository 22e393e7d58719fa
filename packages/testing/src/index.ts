import "./provided.js";
export * from "./infra.js";
export * from "./database.js";
export * from "./graphql.js";
