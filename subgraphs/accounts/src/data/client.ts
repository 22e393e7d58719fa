import { Prisma, type Db } from "@commerce/db";

/** The shared client or the client of an open transaction: data functions accept either. */
export type DbClient = Db | Prisma.TransactionClient;

/** True when a write failed on a unique index (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are Postgres UUIDs; anything else can match no row (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
