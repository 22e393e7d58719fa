import type { LedgerEntry } from "@commerce/db";
import { parseCreatedAtPageArgs, type CreatedAtPageArgs, type Page } from "@commerce/subgraph";

/** An orders Order as the router sends it: its key, plus the fields @provides/@requires bring. */
export interface OrderRef {
  id: string;
  number?: number;
  total?: { amount: number; currency: string };
}

/** What a LoyaltyTransactionConnection resolves from. */
export type LedgerPage = Page<LedgerEntry>;

/** A history page request: `first` 0..MAX_PAGE_SIZE, 20 when absent; `after` a (createdAt, id) cursor. */
export function parseLedgerPageArgs(args: { first?: number | null; after?: string | null }): CreatedAtPageArgs {
  return parseCreatedAtPageArgs(args, 20);
}
