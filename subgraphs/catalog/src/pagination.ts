import { badUserInput, isUuid } from "@commerce/common";
import {
  decodeCursorPayload,
  encodeCursor as encodeKeyset,
  parsePageArgs as parseKeysetPageArgs,
  type Page,
} from "@commerce/subgraph";
import type { Product } from "@commerce/db";

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
export interface ProductPage extends Page<Product> {
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

/** Opaque cursor over the (name, id) keyset position. */
export function encodeCursor({ name, id }: ProductCursor): string {
  return encodeKeyset({ n: name, i: id });
}

/** The position a cursor points at, or null when it is not one of ours (wrong version, tampered, truncated). */
export function decodeCursor(cursor: string): ProductCursor | null {
  const payload = decodeCursorPayload(cursor);
  if (!payload) return null;
  const { n, i } = payload;
  if (typeof n !== "string" || typeof i !== "string" || !isUuid(i)) return null;
  return { name: n, id: i.toLowerCase() };
}

/** Validates `first` (0..MAX_PAGE_SIZE) and decodes `after`; throws BAD_USER_INPUT naming the argument. */
export function parsePageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  return parseKeysetPageArgs(args, decodeCursor);
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
