import { createHash } from "node:crypto";
import { badUserInput, isUuid } from "@commerce/common";
import { parseIdempotencyKey } from "@commerce/subgraph";

export const MAX_ITEMS = 20;
export const MAX_QUANTITY = 99;

/** A validated placeOrder request. */
export interface OrderRequest {
  items: { productId: string; quantity: number }[];
  idempotencyKey: string;
  /** SHA-256 of the normalised items: the same key with other items is a different request. */
  requestHash: string;
}

/** Validates placeOrder's input; throws BAD_USER_INPUT naming the offending field. */
export function parsePlaceOrderInput(input: {
  items: readonly { productId: string; quantity: number }[];
  idempotencyKey: string;
}): OrderRequest {
  const idempotencyKey = parseIdempotencyKey(input.idempotencyKey, "input.idempotencyKey");
  if (input.items.length === 0 || input.items.length > MAX_ITEMS) {
    throw badUserInput(`An order has 1 to ${MAX_ITEMS} items.`, "input.items", { max: MAX_ITEMS });
  }
  const seen = new Set<string>();
  const items = input.items.map(({ productId, quantity }, i) => {
    if (!isUuid(productId))
      throw badUserInput(`Product ${productId} does not exist.`, `input.items[${i}].productId`, {
        productId,
        reason: "UNKNOWN_PRODUCT",
      });
    const id = productId.toLowerCase();
    if (seen.has(id))
      throw badUserInput("Each product may appear once; set its quantity instead.", `input.items[${i}].productId`, {
        productId,
      });
    seen.add(id);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw badUserInput(`quantity must be between 1 and ${MAX_QUANTITY}.`, `input.items[${i}].quantity`, {
        max: MAX_QUANTITY,
      });
    }
    return { productId: id, quantity };
  });
  const requestHash = createHash("sha256")
    .update(JSON.stringify(items.map((item) => [item.productId, item.quantity])))
    .digest("hex");
  return { items, idempotencyKey, requestHash };
}
