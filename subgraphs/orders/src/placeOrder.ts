import { badUserInput, conflict } from "@commerce/common";
import type { CatalogClient } from "@commerce/subgraph";
import { isUniqueViolation, type Db, type DbClient, type Order } from "@commerce/db";
import { findOrderByIdempotencyKey, insertOrder, type NewOrder } from "./data/orders.js";
import type { OrderRequest } from "./orderInput.js";

function sameRequest(order: Order, request: OrderRequest): Order {
  if (order.requestHash !== request.requestHash) {
    throw conflict(
      "This idempotencyKey was already used for a different order; use a new key for a new order.",
      "input.idempotencyKey",
    );
  }
  return order;
}

async function existingOrder(db: DbClient, customerId: string, request: OrderRequest): Promise<Order | null> {
  const order = await findOrderByIdempotencyKey(db, customerId, request.idempotencyKey);
  return order ? sameRequest(order, request) : null;
}

/** Prices the request at the catalog's current data; unknown, unavailable or mixed-currency products are BAD_USER_INPUT. */
async function priceItems(
  catalog: CatalogClient,
  request: OrderRequest,
): Promise<Pick<NewOrder, "items" | "currency">> {
  const products = await catalog.findProducts(request.items.map((item) => item.productId));
  let currency: string | undefined;
  const items = request.items.map(({ productId, quantity }, position) => {
    const product = products.get(productId);
    const field = `input.items[${position}].productId`;
    if (!product)
      throw badUserInput(`Product ${productId} does not exist.`, field, { productId, reason: "UNKNOWN_PRODUCT" });
    if (!product.available) {
      throw badUserInput(`${product.name} is not available right now.`, field, {
        productId,
        productName: product.name,
        reason: "PRODUCT_UNAVAILABLE",
      });
    }
    currency ??= product.price.currency;
    if (product.price.currency !== currency)
      throw badUserInput("All products of an order must be priced in one currency.", field, {
        productId,
        reason: "MIXED_CURRENCIES",
      });
    return {
      position,
      productId,
      productSku: product.sku,
      productName: product.name,
      unitAmount: product.price.amount,
      currency,
      quantity,
    };
  });
  return { items, currency: currency as string };
}

/**
 * Places an order once per (customer, idempotency key). The unique index on that pair decides
 * which of several racing requests inserts; the others catch the violation and return the
 * winner's order, so every caller gets the same order.
 */
export async function placeOrder(
  db: Db,
  catalog: CatalogClient,
  customerId: string,
  request: OrderRequest,
): Promise<Order> {
  // A retry after a success (the common case) is answered without calling the catalog.
  const previous = await existingOrder(db, customerId, request);
  if (previous) return previous;
  const priced = await priceItems(catalog, request);
  try {
    return await insertOrder(db, {
      customerId,
      idempotencyKey: request.idempotencyKey,
      requestHash: request.requestHash,
      ...priced,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await existingOrder(db, customerId, request);
    if (!winner) throw error;
    return winner;
  }
}
