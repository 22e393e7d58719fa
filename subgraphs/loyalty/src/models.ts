import type { LedgerEntry } from "@commerce/db";
import {
  decodeCreatedAtCursor,
  parsePageArgs,
  type CreatedAtCursor,
  type Page,
  type PageArgs,
} from "@commerce/subgraph";

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

/** A page request over the newest-first ledger. */
export type LedgerPageArgs = PageArgs<CreatedAtCursor>;

/** What a LoyaltyTransactionConnection resolves from. */
export type LedgerPage = Page<LedgerEntry>;

/** Validates `first` (0..MAX_PAGE_SIZE, default 20) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseLedgerPageArgs(args: { first?: number | null; after?: string | null }): LedgerPageArgs {
  return parsePageArgs(args, decodeCreatedAtCursor, 20);
}
