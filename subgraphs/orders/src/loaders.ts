import DataLoader from "dataloader";
import type { Db, Order, OrderItem, OrderStatusChange } from "@commerce/db";
import { batchInstrumentation, type BatchInstrumentation } from "@commerce/telemetry";
import { isUuid } from "@commerce/common";
import {
  findItemsByOrderIds,
  findOrderPagesByCustomers,
  findOrdersByIds,
  findOrdersByNumbers,
  findStatusChangesByOrderIds,
} from "./data/orders.js";
import { type OrderPageArgs } from "./pagination.js";

/**
 * Per-request loaders. Orders change status, so nothing here is cached across requests:
 * each batch is one SQL statement, and rows read by list queries are primed into the entity loaders.
 */
export interface Loaders {
  orderById: DataLoader<string, Order | null>;
  orderByNumber: DataLoader<number, Order | null>;
  itemsByOrderId: DataLoader<string, OrderItem[]>;
  statusChangesByOrderId: DataLoader<string, OrderStatusChange[]>;
  /** `User.orders` pages, one loader (one SQL statement per batch of users) per distinct argument set. */
  ordersByCustomerId(args: OrderPageArgs): DataLoader<string, Order[]>;
  primeOrders(rows: readonly Order[]): void;
}

/** Fresh per request; `batches` traces and measures each batch. @default spans only, no metrics */
export function createLoaders(db: Db, batches: BatchInstrumentation = batchInstrumentation()): Loaders {
  const orderById = new DataLoader<string, Order | null>(
    batches.wrap("orderById", async (ids: readonly string[]) => {
      const rows = await findOrdersByIds(db, [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))]);
      return ids.map((id) => rows.get(id.toLowerCase()) ?? null);
    }),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
  const orderByNumber = new DataLoader<number, Order | null>(
    batches.wrap("orderByNumber", async (numbers: readonly number[]) => {
      const rows = await findOrdersByNumbers(
        db,
        numbers.filter((n) => Number.isSafeInteger(n)),
      );
      return numbers.map((n) => rows.get(n) ?? null);
    }),
  );
  const itemsByOrderId = new DataLoader<string, OrderItem[]>(
    batches.wrap("itemsByOrderId", async (ids: readonly string[]) => {
      const items = await findItemsByOrderIds(db, ids);
      return ids.map((id) => items.get(id) ?? []);
    }),
  );
  const statusChangesByOrderId = new DataLoader<string, OrderStatusChange[]>(
    batches.wrap("statusChangesByOrderId", async (ids: readonly string[]) => {
      const changes = await findStatusChangesByOrderIds(db, ids);
      return ids.map((id) => changes.get(id) ?? []);
    }),
  );

  function primeOrders(rows: readonly Order[]): void {
    for (const row of rows) {
      orderById.prime(row.id, row);
      orderByNumber.prime(row.number, row);
    }
  }

  const pageLoaders = new Map<string, DataLoader<string, Order[]>>();
  return {
    orderById,
    orderByNumber,
    itemsByOrderId,
    statusChangesByOrderId,
    primeOrders,
    ordersByCustomerId(args) {
      const key = JSON.stringify([args.first, args.after, args.status]);
      let loader = pageLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(
          batches.wrap("ordersByCustomerId", async (customerIds: readonly string[]) => {
            const ids = customerIds.map((id) => id.toLowerCase());
            const pages = await findOrderPagesByCustomers(db, [...new Set(ids.filter(isUuid))], args, args.first + 1);
            const result = ids.map((id) => pages.get(id) ?? []);
            primeOrders(result.flat());
            return result;
          }),
        );
        pageLoaders.set(key, loader);
      }
      return loader;
    },
  };
}
