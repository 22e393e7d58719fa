import { Pool } from "undici";

export interface SubgraphHttpClientOptions {
  /** Most open connections per subgraph origin. @default 128 */
  connections?: number;
  /** Close an idle keep-alive connection after this long (shorter than the subgraph server's own keep-alive timeout). @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Give up connecting after this long (then the call is SUBGRAPH_TIMEOUT, `connect timeout`). @default 3000 */
  connectTimeoutMs?: number;
}

/** What a subgraph answered: its status and body text (parsed by each caller, so a shared answer is never shared mutable data). */
export interface RawResponse {
  status: number;
  body: string;
}

/**
 * Keep-alive HTTP/1.1 connections to the subgraphs: one undici `Pool` per origin, shared by every data source of
 * that origin across supergraph reloads. Replaces @apollo/gateway's default fetcher (make-fetch-happen), whose
 * per-request cost showed in the router's profile. Timeouts are the call policy's business (the signal); undici's
 * own header/body timeouts are off so they never race it.
 */
export class SubgraphHttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Pool.Options;

  constructor({
    connections = 128,
    keepAliveTimeoutMs = 4000,
    connectTimeoutMs = 3000,
  }: SubgraphHttpClientOptions = {}) {
    this.options = {
      connections,
      keepAliveTimeout: keepAliveTimeoutMs,
      connect: { timeout: connectTimeoutMs },
      headersTimeout: 0,
      bodyTimeout: 0,
    };
  }

  /** POSTs `body` to `url` and reads the whole answer. Rejects on a socket error or when `signal` aborts. */
  async post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<RawResponse> {
    const response = await this.pool(url.origin).request({
      method: "POST",
      path: url.pathname + url.search,
      headers,
      body,
      signal,
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  /** Closes every pool (in-flight requests finish first). */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, this.options);
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
