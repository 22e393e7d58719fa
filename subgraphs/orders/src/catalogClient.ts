import { setTimeout as sleep } from "node:timers/promises";

/** What orders needs to know about a product to sell it: read from the catalog at order time. */
export interface CatalogProduct {
  id: string;
  sku: string;
  name: string;
  price: { amount: number; currency: string };
  available: boolean;
}

/** Reads products from the catalog subgraph. Unknown ids are absent from the map. */
export interface CatalogClient {
  findProducts(ids: readonly string[]): Promise<Map<string, CatalogProduct>>;
}

export interface CatalogClientOptions {
  /** The catalog subgraph's GraphQL endpoint. */
  url: string;
  /** Abort an attempt after this long. @default 2000 */
  timeoutMs?: number;
  /** Extra attempts after a network error, timeout or 5xx (never after a GraphQL error). @default 2 */
  retries?: number;
  /** First back-off; doubles per retry. @default 100 */
  retryDelayMs?: number;
  /** Headers for each call (e.g. service credentials once subgraphs only accept the router). @default none */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
}

/** The catalog could not be read (down, slow or answering errors): the caller cannot price an order. */
export class CatalogUnavailableError extends Error {
  override name = "CatalogUnavailableError";
}

const ENTITIES = `query OrdersCatalogProducts($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id sku name price { amount currency } available } }
}`;

class RetryableError extends Error {}

/**
 * A service-to-service client over the catalog's federation `_entities` field: one POST for
 * any number of products, each attempt bounded by a timeout, retried with exponential
 * back-off when the failure is transient. It is a read, so retrying is always safe.
 */
export function createCatalogClient({ url, timeoutMs = 2000, retries = 2, retryDelayMs = 100, headers }: CatalogClientOptions): CatalogClient {
  async function attempt(ids: readonly string[]): Promise<Map<string, CatalogProduct>> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await headers?.()) },
        body: JSON.stringify({ query: ENTITIES, variables: { representations: ids.map((id) => ({ __typename: "Product", id })) } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RetryableError(`catalog request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status >= 500) throw new RetryableError(`catalog answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { data?: { _entities?: (CatalogProduct | null)[] }; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data?._entities) {
      throw new CatalogUnavailableError(`catalog answered HTTP ${response.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`);
    }
    const products = new Map<string, CatalogProduct>();
    for (const product of body.data._entities) if (product) products.set(product.id.toLowerCase(), product);
    return products;
  }

  return {
    async findProducts(ids) {
      if (ids.length === 0) return new Map();
      for (let attemptNo = 0; ; attemptNo += 1) {
        try {
          return await attempt(ids);
        } catch (error) {
          if (!(error instanceof RetryableError)) throw error;
          if (attemptNo >= retries) throw new CatalogUnavailableError(`${error.message} (after ${attemptNo + 1} attempts)`);
          await sleep(retryDelayMs * 2 ** attemptNo);
        }
      }
    },
  };
}
