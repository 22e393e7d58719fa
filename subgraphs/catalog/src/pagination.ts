import { badUserInput } from "@commerce/common";
import type { Product } from "@commerce/db";

/** Largest `first` a products connection accepts. */
export const MAX_PAGE_SIZE = 100;
/** Longest `search` text accepted, after trimming. */
export const MAX_SEARCH_LENGTH = 100;

/** The keyset position of a product in the (name, id) order. */
export interface ProductCursor {
  name: string;
  id: string;
}

/** A validated page request: `first` in range, `after` decoded. */
export interface PageArgs {
  first: number;
  after: ProductCursor | null;
}

/** Validated product conditions; absent keys do not filter. */
export interface ProductConditions {
  categoryId?: string;
  /** Already trimmed and non-empty; match it with {@link likePattern}. */
  search?: string;
  available?: boolean;
}

/**
 * What a ProductConnection resolves from: the rows fetched for the page (up to
 * `first + 1`, the extra row only telling that a next page exists) and a lazy
 * total, so the COUNT query runs only when `totalCount` is selected.
 */
export interface ProductPage {
  rows: readonly Product[];
  first: number;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

const CURSOR_VERSION = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string (ids of this subgraph are UUIDs; anything else matches no row). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Opaque cursor: base64url of a versioned JSON payload, so the format can change without breaking old clients silently. */
export function encodeCursor({ name, id }: ProductCursor): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, n: name, i: id }), "utf8").toString("base64url");
}

/** The position a cursor points at, or null when it is not one of ours (wrong version, tampered, truncated). */
export function decodeCursor(cursor: string): ProductCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null) return null;
  const { v, n, i } = payload as Record<string, unknown>;
  if (v !== CURSOR_VERSION || typeof n !== "string" || typeof i !== "string" || !isUuid(i)) return null;
  return { name: n, id: i.toLowerCase() };
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parsePageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, "first", { max: MAX_PAGE_SIZE });
  }
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = decodeCursor(args.after);
  if (!after) throw badUserInput("after is not a cursor returned by this API.", "after");
  return { first, after };
}

/** Trims `search`; empty means no condition. Throws BAD_USER_INPUT when longer than MAX_SEARCH_LENGTH. */
export function normalizeSearch(search: string | null | undefined, field: string): string | undefined {
  const trimmed = search?.trim() ?? "";
  if (trimmed === "") return undefined;
  if (trimmed.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`search must be at most ${MAX_SEARCH_LENGTH} characters.`, field, { max: MAX_SEARCH_LENGTH });
  }
  return trimmed;
}

/** Validates a products filter; `fieldPrefix` names the argument in errors (e.g. "filter"). */
export function parseProductFilter(
  filter: { categoryId?: string | null; search?: string | null; available?: boolean | null } | null | undefined,
  fieldPrefix = "filter",
): ProductConditions {
  const conditions: ProductConditions = {};
  if (!filter) return conditions;
  if (filter.categoryId !== undefined && filter.categoryId !== null) {
    if (!isUuid(filter.categoryId)) throw badUserInput("categoryId is not a category id.", `${fieldPrefix}.categoryId`);
    conditions.categoryId = filter.categoryId.toLowerCase();
  }
  const search = normalizeSearch(filter.search, `${fieldPrefix}.search`);
  if (search !== undefined) conditions.search = search;
  if (filter.available !== undefined && filter.available !== null) conditions.available = filter.available;
  return conditions;
}

/** `text` with LIKE's wildcards (and its escape character, backslash) escaped, so they match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern matching `text` anywhere, literally. */
export function likePattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** The rows shown on a page: the fetched rows without the look-ahead row. */
export function pageRows(page: ProductPage): readonly Product[] {
  return page.rows.length > page.first ? page.rows.slice(0, page.first) : page.rows;
}
