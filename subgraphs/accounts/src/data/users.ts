import type { DbClient, Role, User } from "@commerce/db";
import { isUuid } from "@commerce/common";

/** A user row without its password hash: what resolvers, loaders and the cache see. */
export type UserRecord = Omit<User, "passwordHash">;

const withoutPassword = { passwordHash: true } as const;

/** The users with these ids (unknown and malformed ids are simply absent), in one query. */
export function findUsersByIds(db: DbClient, ids: readonly string[]): Promise<UserRecord[]> {
  const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
  if (valid.length === 0) return Promise.resolve([]);
  return db.user.findMany({ where: { id: { in: valid } }, omit: withoutPassword });
}

/** One user by id, for code that already holds a transaction. */
export function findUserById(db: DbClient, id: string): Promise<UserRecord | null> {
  if (!isUuid(id)) return Promise.resolve(null);
  return db.user.findUnique({ where: { id: id.toLowerCase() }, omit: withoutPassword });
}

/** The full row, password hash included, for checking credentials. `email` must be normalised. */
export function findUserWithPasswordByEmail(db: DbClient, email: string): Promise<User | null> {
  return db.user.findUnique({ where: { email } });
}

export interface CreateUserData {
  /** Normalised (trimmed, lower-case). */
  email: string;
  displayName: string;
  passwordHash: string;
  roles?: Role[];
}

/** Inserts a user. A taken e-mail address fails on the unique index (P2002). */
export function createUser(db: DbClient, data: CreateUserData): Promise<UserRecord> {
  return db.user.create({ data: { ...data, roles: data.roles ?? ["CUSTOMER"] }, omit: withoutPassword });
}
