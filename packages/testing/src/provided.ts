// What the global setup provides to int and e2e tests: `inject("databaseUrl")`, `inject("redisUrl")`.
import type {} from "vitest";
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export {};
