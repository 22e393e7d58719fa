import { badUserInput, isUuid } from "@commerce/common";
import type { CreateProductInput, MoneyInput, UpdateProductInput } from "./__generated__/resolvers.js";

export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_SKU_LENGTH = 64;

/** Column values for a new product (categoryId still to be checked against the database). */
export interface ProductCreateData {
  sku: string;
  name: string;
  description: string;
  priceAmount: number;
  currency: string;
  available: boolean;
  categoryId: string;
}

/** Column values to change; absent keys keep their value. */
export type ProductUpdateData = Partial<Omit<ProductCreateData, "sku">>;

function parseName(name: string, field: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
    throw badUserInput(`name must be 1 to ${MAX_NAME_LENGTH} characters.`, field, { max: MAX_NAME_LENGTH });
  }
  return trimmed;
}

function parseDescription(description: string, field: string): string {
  const trimmed = description.trim();
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw badUserInput(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`, field, {
      max: MAX_DESCRIPTION_LENGTH,
    });
  }
  return trimmed;
}

/** A price: a non-negative integer amount in minor units and a 3-letter upper-case ISO 4217 code. */
export function parseMoney(price: MoneyInput, field: string): { priceAmount: number; currency: string } {
  if (!Number.isSafeInteger(price.amount) || price.amount < 0) {
    throw badUserInput("price amount must be a non-negative integer of minor units.", `${field}.amount`);
  }
  if (!/^[A-Z]{3}$/.test(price.currency)) {
    throw badUserInput("currency must be a 3-letter upper-case ISO 4217 code, e.g. EUR.", `${field}.currency`);
  }
  return { priceAmount: price.amount, currency: price.currency };
}

function parseCategoryId(categoryId: string, field: string): string {
  if (!isUuid(categoryId)) throw badUserInput("categoryId is not a known category.", field);
  return categoryId.toLowerCase();
}

/** Validates `createProduct`'s input; throws BAD_USER_INPUT with the dot path of the first bad field. */
export function parseCreateProductInput(input: CreateProductInput): ProductCreateData {
  const sku = input.sku.trim();
  if (!/^[A-Za-z0-9_-]+$/.test(sku) || sku.length > MAX_SKU_LENGTH) {
    throw badUserInput(`sku must be 1 to ${MAX_SKU_LENGTH} letters, digits, "-" or "_".`, "input.sku", {
      max: MAX_SKU_LENGTH,
    });
  }
  return {
    sku,
    name: parseName(input.name, "input.name"),
    description: parseDescription(input.description ?? "", "input.description"),
    ...parseMoney(input.price, "input.price"),
    available: input.available ?? true,
    categoryId: parseCategoryId(input.categoryId, "input.categoryId"),
  };
}

/** Validates `updateProduct`'s changes (the id is checked by the caller); null fields keep their value. */
export function parseUpdateProductInput(input: Omit<UpdateProductInput, "id">): ProductUpdateData {
  const data: ProductUpdateData = {};
  if (input.name != null) data.name = parseName(input.name, "input.name");
  if (input.description != null) data.description = parseDescription(input.description, "input.description");
  if (input.price != null) Object.assign(data, parseMoney(input.price, "input.price"));
  if (input.available != null) data.available = input.available;
  if (input.categoryId != null) data.categoryId = parseCategoryId(input.categoryId, "input.categoryId");
  return data;
}
