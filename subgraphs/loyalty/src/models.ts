import { isUuid } from "@commerce/common";
import { decodeCursorPayload, encodeCursor as encodeKeyset, parsePageArgs } from "@commerce/subgraph";
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

export { MAX_PAGE_SIZE, pageRows } from "@commerce/subgraph";

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

export function encodeCursor(entry: Pick<LedgerEntry, "createdAt" | "id">): string {
  return encodeKeyset({ c: entry.createdAt.getTime(), i: entry.id });
}

function decodeCursor(cursor: string): LedgerCursor | null {
  const payload = decodeCursorPayload(cursor);
  if (!payload) return null;
  const { c, i } = payload;
  if (typeof c !== "number" || !Number.isFinite(c) || typeof i !== "string" || !isUuid(i)) return null;
  return { createdAt: new Date(c), id: i.toLowerCase() };
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseLedgerPageArgs(args: { first?: number | null; after?: string | null }): LedgerPageArgs {
  return parsePageArgs(args, decodeCursor, 20);
}
