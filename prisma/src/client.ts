import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "../generated/client.js";

export interface DbOptions {
  /** Max connections in this process's pool. @default 10 */
  poolSize?: number;
  /** Called once per SQL statement Prisma sends (query counting, tracing, slow-query logs). */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

export type Db = PrismaClient;

/** The shared client or the client of an open transaction: data functions accept either. */
export type DbClient = Db | Prisma.TransactionClient;

/** True when a write failed on a unique index (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

const pools = new WeakMap<Db, pg.Pool>();

/** The connection counts of a client's pool (for metrics): open, idle, and requests waiting for a connection. */
export function poolStats(db: Db): { total: number; idle: number; waiting: number } | undefined {
  const pool = pools.get(db);
  return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

/** A Prisma 7 client over node-postgres. Each service makes one and shares it across requests. */
export function createDb(databaseUrl: string, { poolSize = 10, onQuery }: DbOptions = {}): Db {
  // Our own pool (closed by $disconnect all the same) so its counts can be exported.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter, log: onQuery ? [{ emit: "event", level: "query" }] : [] });
  pools.set(client, pool);
  if (onQuery) {
    (client as unknown as { $on(event: "query", cb: (e: { query: string; duration: number }) => void): void }).$on(
      "query",
      (e) => onQuery({ query: e.query, durationMs: e.duration }),
    );
  }
  return client;
}
