import { decodeCursorPayload, encodeCursor as encodeKeyset, parsePageArgs, type Page } from "@commerce/subgraph";
import type { Order, OrderStatus } from "@commerce/db";

/** A validated page request: `first` in range, `after` decoded to an order number. */
export interface OrderPageArgs {
  first: number;
  /** The order number after which the page starts (exclusive), in the list's own direction. */
  after: number | null;
  status: OrderStatus | null;
}

/** What an OrderConnection resolves from: up to `first + 1` rows (the extra one only tells that a next page exists). */
export type OrderPage = Page<Order>;

/** Opaque cursor over the order number. */
export function encodeCursor(order: Pick<Order, "number">): string {
  return encodeKeyset({ n: order.number });
}

/** The order number a cursor points at, or null when it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  const n = decodeCursorPayload(cursor)?.n;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseOrderPageArgs(args: {
  first?: number | null;
  after?: string | null;
  status?: OrderStatus | null;
}): OrderPageArgs {
  return { ...parsePageArgs(args, decodeCursor), status: args.status ?? null };
}
