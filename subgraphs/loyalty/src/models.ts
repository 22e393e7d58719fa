import { badUserInput } from "@commerce/common";
import type { LedgerEntry } from "@commerce/db";

/** A reference to an accounts user: all this subgraph needs to know about one. */
export interface UserRef {
  id: string;
}

/** An orders Order as the router sends it: its key, plus the fields @provides/@requires bring. */
export interface OrderRef {
  id: string;
  number?: number;
  total?: { amount: number; currency: string };
}

/** Largest `first` of a history page. */
export const MAX_PAGE_SIZE = 100;

/** Keyset position in the newest-first ledger order. */
export interface LedgerCursor {
  createdAt: Date;
  id: string;
}

export interface LedgerPageArgs {
  first: number;
  after: LedgerCursor | null;
}

/** Up to `first + 1` entries (the extra one only tells that a next page exists). */
export interface LedgerPage {
  rows: readonly LedgerEntry[];
  first: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are Postgres UUIDs; anything else can match no row (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeCursor(entry: Pick<LedgerEntry, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify({ v: 1, c: entry.createdAt.getTime(), i: entry.id }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): LedgerCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const { v, c, i } = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    if (v !== 1 || typeof c !== "number" || !Number.isFinite(c) || typeof i !== "string" || !isUuid(i)) return null;
    return { createdAt: new Date(c), id: i.toLowerCase() };
  } catch {
    return null;
  }
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseLedgerPageArgs(args: { first?: number | null; after?: string | null }): LedgerPageArgs {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, "first", { max: MAX_PAGE_SIZE });
  }
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = decodeCursor(args.after);
  if (!after) throw badUserInput("after is not a cursor returned by this API.", "after");
  return { first, after };
}

export function pageRows(page: LedgerPage): readonly LedgerEntry[] {
  return page.rows.length > page.first ? page.rows.slice(0, page.first) : page.rows;
}
