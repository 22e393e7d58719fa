// What a storefront sends: the home page's product grid, a product page, log-in, checkout and order history.
import type autocannon from "autocannon";

/** The storefront query: 20 products with price, category, rating and 3 reviews with their authors. */
export const STOREFRONT_QUERY = `query Storefront {
  products(first: 20) {
    edges {
      node {
        id
        name
        price { amount currency }
        category { name }
        rating { average count }
        reviews(first: 3) { edges { node { rating body author { displayName } } } }
      }
    }
  }
}`;

export const PRODUCT_PAGE_QUERY = `query ProductPage($id: ID!) {
  product(id: $id) {
    id
    sku
    name
    description
    available
    price { amount currency }
    category { name }
    rating { average count }
    reviews(first: 10) { edges { node { rating body createdAt author { displayName } } } }
  }
}`;

export const LOG_IN_MUTATION = `mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) { accessToken }
}`;

export const PLACE_ORDER_MUTATION = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id number status total { amount currency } pointsToEarn } }
}`;

export const ORDER_HISTORY_QUERY = `query OrderHistory {
  me { id orders(first: 10) { edges { node { id number status createdAt total { amount currency } items { productName quantity } pointsEarned } } } }
}`;

/** Products a session looks at and orders: every product id, and those that can be ordered now. */
export interface Catalog {
  productIds: string[];
  orderableIds: string[];
}

export const CATALOG_QUERY = `{ products(first: 100) { edges { node { id available } } } }`;

export function catalogFrom(answer: unknown): Catalog {
  const edges =
    (answer as { data?: { products?: { edges?: { node: { id: string; available: boolean } }[] } } }).data?.products
      ?.edges ?? [];
  return {
    productIds: edges.map((e) => e.node.id),
    orderableIds: edges.filter((e) => e.node.available).map((e) => e.node.id),
  };
}

export interface SessionOptions {
  customer: { email: string; password: string };
  catalog: Catalog;
  /** Makes idempotency keys unique across targets and runs (letters, digits, `-`, `_`, `.`, `:` only). */
  keyPrefix: string;
}

interface SessionContext {
  token?: string;
}

/**
 * One shopping session, which each connection repeats: log in, then four times the product grid and a product
 * page, place an order of one available product (a new idempotency key each time), and look at the order
 * history. Eleven requests, one log-in.
 */
export function sessionRequests({ customer, catalog, keyPrefix }: SessionOptions): autocannon.Request[] {
  if (catalog.productIds.length === 0 || catalog.orderableIds.length === 0)
    throw new Error("the catalog has no (orderable) products to browse");
  let productCursor = 0;
  let orderCursor = 0;
  const json = (query: string, variables?: Record<string, unknown>) =>
    JSON.stringify(variables ? { query, variables } : { query });
  const signedIn = (body: () => string): autocannon.Request => ({
    method: "POST",
    setupRequest: (request, context) => {
      const token = (context as SessionContext).token;
      return {
        ...request,
        body: body(),
        headers: { ...request.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      };
    },
  });
  const logIn: autocannon.Request = {
    method: "POST",
    body: json(LOG_IN_MUTATION, { email: customer.email, password: customer.password }),
    onResponse: (_status, body, context) => {
      try {
        (context as SessionContext).token = (JSON.parse(body) as { data?: { logIn?: { accessToken?: string } } }).data
          ?.logIn?.accessToken;
      } catch {
        // counted as an error by the load driver; the session goes on anonymous and fails its signed-in steps
      }
    },
  };
  const browse = signedIn(() => json(STOREFRONT_QUERY));
  const productPage = signedIn(() =>
    json(PRODUCT_PAGE_QUERY, { id: catalog.productIds[productCursor++ % catalog.productIds.length] }),
  );
  const placeOrder = signedIn(() =>
    json(PLACE_ORDER_MUTATION, {
      input: {
        items: [{ productId: catalog.orderableIds[orderCursor % catalog.orderableIds.length], quantity: 1 }],
        idempotencyKey: `${keyPrefix}-${orderCursor++}`,
      },
    }),
  );
  const history = signedIn(() => json(ORDER_HISTORY_QUERY));
  return [
    logIn,
    browse,
    productPage,
    browse,
    productPage,
    browse,
    productPage,
    browse,
    productPage,
    placeOrder,
    history,
  ];
}
