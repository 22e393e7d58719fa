import { ErrorCode, subgraphFailed, type Logger } from "@commerce/common";
import { SERVICE_SIGNATURE_HEADER, serviceSigner } from "@commerce/http";
import {
  CallFailure,
  HttpStatusError,
  createCallPolicy,
  type BreakerView,
  type CallPolicyOptions,
} from "@commerce/resilience";
import type { CatalogCallConfig } from "./config.js";

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
  /**
   * Signs each call under this service's own identity (`x-service-signature`, see `@commerce/http`): a guarded
   * catalog answers only the router and the services in its `TRUSTED_SERVICES`. @default unsigned
   */
  identity?: { service: string; key: string } | undefined;
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
export function createCatalogClient({ url, identity, logger, ...policy }: CatalogClientOptions): CatalogClient {
  const sign = identity ? serviceSigner(identity.service, identity.key) : undefined;
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
        ...(sign ? { [SERVICE_SIGNATURE_HEADER]: sign() } : {}),
      },
      body: JSON.stringify({
        query: ENTITIES,
        variables: { representations: ids.map((id) => ({ __typename: "Product", id })) },
      }),
      signal,
    });
    // A refused identity (401, 403) is answered with coded errors worth reporting; other statuses say enough.
    const refused = response.status === 401 || response.status === 403;
    if (!response.ok && !refused) throw new HttpStatusError(response.status);
    const body = (await response.json().catch(() => ({}))) as {
      data?: { _entities?: (CatalogProduct | null)[] };
      errors?: { extensions?: { code?: unknown; reason?: unknown } }[];
    };
    if (refused || body.errors?.length || !body.data?._entities) {
      // An answer, not an outage (a refused signature, a bug): retrying cannot help, and the catalog is up.
      const codes = [
        ...new Set(
          (body.errors ?? []).map(({ extensions: e }) =>
            e?.reason === undefined ? String(e?.code ?? "UNKNOWN") : `${String(e.code)} (${String(e.reason)})`,
          ),
        ),
      ].join(", ");
      throw new CallFailure({
        code: ErrorCode.SUBGRAPH_HTTP_ERROR,
        reason: codes ? `answered ${codes}` : refused ? `answered HTTP ${response.status}` : "answered no data",
        ...(refused ? { status: response.status } : {}),
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

/** The catalog client a subgraph's entry point builds from its config (`CATALOG_*`, `SERVICE_SECRET`). */
export function catalogClientFor(config: CatalogCallConfig, logger?: Logger): CatalogClient {
  return createCatalogClient({
    url: config.catalogUrl,
    timeoutMs: config.catalogTimeoutMs,
    retries: config.catalogRetries,
    identity: config.serviceSecret ? { service: config.serviceName, key: config.serviceSecret } : undefined,
    logger,
  });
}
