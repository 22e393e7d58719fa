import { badUserInput, isUuid } from "@commerce/common";
import { Prisma } from "@commerce/db";

/** Largest `first` any connection of the graph accepts. */
export const MAX_PAGE_SIZE = 100;

const CURSOR_VERSION = 1;
/**
 * Opaque cursor: base64url of a versioned JSON position, so the format can
 * change later without old cursors being misread. `position` holds the keyset
 * values under short keys (the key `v` is reserved for the version).
 */
export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, ...position }), "utf8").toString("base64url");
}

/** The JSON position inside a cursor, or null when it is not one of ours (wrong version, tampered, truncated). */
export function decodeCursorPayload(cursor: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return null;
  const record = payload as Record<string, unknown>;
  return record.v === CURSOR_VERSION ? record : null;
}

export interface PageArgs<C> {
  first: number;
  after: C | null;
}

/**
 * Validates `first` (0..MAX_PAGE_SIZE, `defaultFirst` when absent) and decodes
 * `after` with `decode`; throws BAD_USER_INPUT naming the argument.
 */
export function parsePageArgs<C>(
  args: { first?: number | null; after?: string | null },
  decode: (cursor: string) => C | null,
  defaultFirst = 20,
): PageArgs<C> {
  const first = args.first ?? defaultFirst;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, "first", { max: MAX_PAGE_SIZE });
  }
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = decode(args.after);
  if (after === null) throw badUserInput("after is not a cursor returned by this API.", "after");
  return { first, after };
}

/** What a connection resolves from: up to `first + 1` rows (the extra one only tells that a next page exists). */
export interface Page<T> {
  rows: readonly T[];
  first: number;
}

/** The rows shown on a page: the fetched rows (up to `first + 1`) without the look-ahead row. */
export function pageRows<T>(page: Page<T>): readonly T[] {
  return page.rows.length > page.first ? page.rows.slice(0, page.first) : page.rows;
}

/** A connection's `edges` and `pageInfo` (`hasNextPage`, `endCursor`) over a {@link Page}, each row's cursor from `encode`. */
export function connectionResolvers<T>(encode: (row: T) => string) {
  return {
    edges: (page: Page<T>) => pageRows(page).map((node) => ({ cursor: encode(node), node })),
    pageInfo(page: Page<T>) {
      const last = pageRows(page).at(-1);
      return { hasNextPage: page.rows.length > page.first, endCursor: last ? encode(last) : null };
    },
  };
}

/** A keyset position in a newest-first (created_at, id) order: the id breaks ties between rows created together. */
export interface CreatedAtCursor {
  createdAt: Date;
  id: string;
}

/** The cursor of a row in a (createdAt, id) order. */
export function encodeCreatedAtCursor(row: CreatedAtCursor): string {
  return encodeCursor({ c: row.createdAt.getTime(), i: row.id });
}

/** The (createdAt, id) position a cursor points at (the id lower-cased), or null when it is not one of ours. */
export function decodeCreatedAtCursor(cursor: string): CreatedAtCursor | null {
  const payload = decodeCursorPayload(cursor);
  if (!payload) return null;
  const { c, i } = payload;
  if (typeof c !== "number" || !Number.isFinite(c) || typeof i !== "string" || !isUuid(i)) return null;
  return { createdAt: new Date(c), id: i.toLowerCase() };
}

/** The SQL condition `AND (created_at, id) < after` of the page after a (createdAt, id) cursor; nothing on a first page. */
export function createdAtBefore(after: CreatedAtCursor | null): Prisma.Sql {
  return after ? Prisma.sql`AND (created_at, id) < (${after.createdAt}, ${after.id}::uuid)` : Prisma.empty;
}

/** A page request over a newest-first (createdAt, id) order. */
export type CreatedAtPageArgs = PageArgs<CreatedAtCursor>;

/**
 * Validates `first` (0..MAX_PAGE_SIZE, `defaultFirst` when absent) and decodes `after` as a (createdAt, id) cursor;
 * throws BAD_USER_INPUT naming the argument.
 */
export function parseCreatedAtPageArgs(
  args: { first?: number | null; after?: string | null },
  defaultFirst: number,
): CreatedAtPageArgs {
  return parsePageArgs(args, decodeCreatedAtCursor, defaultFirst);
}
