import type { OrderItemResolvers } from "../__generated__/resolvers.js";

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.productId }),
  sku: (item) => item.productSku,
  unitPrice: (item) => ({ amount: item.unitAmount, currency: item.currency }),
  lineTotal: (item) => ({ amount: item.unitAmount * item.quantity, currency: item.currency }),
};
