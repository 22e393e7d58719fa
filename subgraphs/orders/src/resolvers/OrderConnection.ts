import type { Order } from "@commerce/db";
import { connectionResolvers } from "@commerce/subgraph";
import type { OrderConnectionResolvers } from "../__generated__/resolvers.js";
import { encodeCursor } from "../pagination.js";

export const OrderConnection: OrderConnectionResolvers = connectionResolvers<Order>(encodeCursor);
