import { badUserInput } from "@commerce/common";
import type { Order, OrderStatus } from "@commerce/db";

/** Largest `first` an orders connection accepts. */
export const MAX_PAGE_SIZE = 100;

/** A reference to an accounts user: all this subgraph knows about one. */
export interface UserRef {
  id: string;
}

/** A validated page request: `first` in range, `after` decoded to an order number. */
export interface OrderPageArgs {
  first: number;
  /** The order number after which the page starts (exclusive), in the list's own direction. */
  after: number | null;
  status: OrderStatus | null;
}

/** What an OrderConnection resolves from: up to `first + 1` rows (the extra one only tells that a next page exists). */
export interface OrderPage {
  rows: readonly Order[];
  first: number;
}

const CURSOR_VERSION = 1;

/** Opaque cursor: base64url of a versioned JSON position (the order number). */
export function encodeCursor(order: Pick<Order, "number">): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, n: order.number }), "utf8").toString("base64url");
}

/** The order number a cursor points at, or null when it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (typeof payload !== "object" || payload === null) return null;
    const { v, n } = payload as Record<string, unknown>;
    return v === CURSOR_VERSION && typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parseOrderPageArgs(args: { first?: number | null; after?: string | null; status?: OrderStatus | null }): OrderPageArgs {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, "first", { max: MAX_PAGE_SIZE });
  }
  const status = args.status ?? null;
  if (args.after === undefined || args.after === null) return { first, after: null, status };
  const after = decodeCursor(args.after);
  if (after === null) throw badUserInput("after is not a cursor returned by this API.", "after");
  return { first, after, status };
}

/** The rows shown on a page: the fetched rows without the look-ahead row. */
export function pageRows(page: OrderPage): readonly Order[] {
  return page.rows.length > page.first ? page.rows.slice(0, page.first) : page.rows;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are Postgres UUIDs; anything else can match no row (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
