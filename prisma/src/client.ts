import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/client.js";

export interface DbOptions {
  /** Max connections in this process's pool. @default 10 */
  poolSize?: number;
  /** Called once per SQL statement Prisma sends (query counting, tracing, slow-query logs). */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

export type Db = PrismaClient;

/** A Prisma 7 client over node-postgres. Each service makes one and shares it across requests. */
export function createDb(databaseUrl: string, { poolSize = 10, onQuery }: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  const client = new PrismaClient({ adapter, log: onQuery ? [{ emit: "event", level: "query" }] : [] });
  if (onQuery) {
    (client as unknown as { $on(event: "query", cb: (e: { query: string; duration: number }) => void): void }).$on("query", (e) =>
      onQuery({ query: e.query, durationMs: e.duration }),
    );
  }
  return client;
}
