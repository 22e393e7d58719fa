import { ErrorCode, subgraphFailed, type Logger } from "@commerce/common";
import { ROUTER_SIGNATURE_HEADER, signRouterRequest } from "@commerce/http";
import {
  CallFailure,
  HttpStatusError,
  createCallPolicy,
  type BreakerView,
  type CallPolicyOptions,
} from "@commerce/resilience";
import type { CatalogCallConfig, SubgraphConfig } from "./config.js";

/** What other subgraphs need to know about a product, read from the catalog when a mutation needs it. */
export interface CatalogProduct {
  id: string;
  sku: string;
  name: string;
  price: { amount: number; currency: string };
  available: boolean;
}

/** Reads products from the catalog subgraph. */
export interface CatalogClient {
  /**
   * The products with these ids, keyed by lower-case id (unknown ids are absent), in one POST under the catalog's
   * call policy. A catalog that is down, slow or failing, or whose breaker is open, rejects with a coded
   * `SUBGRAPH_*` GraphQL error whose message names the catalog (`extensions.reason` says what happened).
   */
  findProducts(ids: readonly string[], options?: { signal?: AbortSignal }): Promise<Map<string, CatalogProduct>>;
  /** The catalog breaker's state. */
  view(): BreakerView;
}

export interface CatalogClientOptions extends CallPolicyOptions {
  /** The catalog subgraph's GraphQL endpoint. */
  url: string;
  /** Signs each call as the router does (`x-router-signature`): the catalog answers only holders of ROUTER_SECRET. @default unsigned */
  routerSecret?: string | undefined;
  /** Logs the breaker opening and closing. @default none */
  logger?: Logger | undefined;
}

/** The catalog's name in errors, logs and its breaker. */
export const CATALOG_SERVICE = "catalog";

const ENTITIES = `query CatalogProducts($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id sku name price { amount currency } available } }
}`;

/**
 * The one client the other subgraphs (orders, reviews) read the catalog with: its federation `_entities` field, each
 * call under a `@commerce/resilience` policy — a timeout per attempt (2 s unless given), jittered retries within a
 * retry budget (a read is always safe to retry), and a circuit breaker — so a catalog outage fails fast with a
 * coded error instead of holding the mutation that needed it.
 */
export function createCatalogClient({ url, routerSecret, logger, ...policy }: CatalogClientOptions): CatalogClient {
  const calls = createCallPolicy(CATALOG_SERVICE, { timeoutMs: 2000, ...policy });
  calls.onStateChange((view) => {
    if (view.state === "open")
      logger?.warn({ breaker: view }, "catalog breaker open: calls to the catalog fail fast until a probe succeeds");
    else if (view.state === "closed") logger?.info({ breaker: view }, "catalog breaker closed");
  });

  async function fetchProducts(ids: readonly string[], signal: AbortSignal): Promise<Map<string, CatalogProduct>> {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(routerSecret ? { [ROUTER_SIGNATURE_HEADER]: signRouterRequest(routerSecret) } : {}),
      },
      body: JSON.stringify({
        query: ENTITIES,
        variables: { representations: ids.map((id) => ({ __typename: "Product", id })) },
      }),
      signal,
    });
    if (!response.ok) throw new HttpStatusError(response.status);
    const body = (await response.json().catch(() => ({}))) as {
      data?: { _entities?: (CatalogProduct | null)[] };
      errors?: { extensions?: { code?: unknown } }[];
    };
    if (body.errors?.length || !body.data?._entities) {
      // An answer, not an outage (a refused signature, a bug): retrying cannot help, and the catalog is up.
      const codes = [...new Set((body.errors ?? []).map((e) => String(e.extensions?.code ?? "UNKNOWN")))].join(", ");
      throw new CallFailure({
        code: ErrorCode.SUBGRAPH_HTTP_ERROR,
        reason: codes ? `answered ${codes}` : "answered no data",
        retryable: false,
        trips: false,
      });
    }
    const products = new Map<string, CatalogProduct>();
    for (const product of body.data._entities) if (product) products.set(product.id.toLowerCase(), product);
    return products;
  }

  return {
    async findProducts(ids, { signal } = {}) {
      if (ids.length === 0) return new Map();
      try {
        return await calls.execute((attempt) => fetchProducts(ids, attempt), { idempotent: true, signal });
      } catch (error) {
        if (!(error instanceof CallFailure)) throw error;
        throw subgraphFailed({ code: error.code, serviceName: CATALOG_SERVICE, reason: error.reason });
      }
    },
    view: () => calls.view(),
  };
}

/** The catalog client a subgraph's entry point builds from its config (`CATALOG_*`, `ROUTER_SECRET`). */
export function catalogClientFor(config: SubgraphConfig & CatalogCallConfig, logger?: Logger): CatalogClient {
  return createCatalogClient({
    url: config.catalogUrl,
    timeoutMs: config.catalogTimeoutMs,
    retries: config.catalogRetries,
    routerSecret: config.routerSecret,
    logger,
  });
}
