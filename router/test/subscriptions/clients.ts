import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import type { GraphQLFormattedError } from "graphql";
import WebSocket from "ws";

/** One result a client received. */
export interface Received {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** Everything one subscription received, and how it ended. */
export class Recording {
  readonly results: Received[] = [];
  /** The error it ended with (graphql-ws: the errors of an `error` message, or the socket's CloseEvent). */
  error: unknown;
  completed = false;
  private waiters: (() => void)[] = [];

  readonly sink = {
    next: (result: Received) => {
      this.results.push(result);
      this.wake();
    },
    error: (error: unknown) => {
      this.error = error;
      this.wake();
    },
    complete: () => {
      this.completed = true;
      this.wake();
    },
  };

  get ended(): boolean {
    return this.completed || this.error !== undefined;
  }

  /** Waits until `check` holds (re-checked on every result and end), or fails after `timeoutMs`. */
  async until(check: (recording: this) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; got ${JSON.stringify({ results: this.results, error: describe(this.error), completed: this.completed })}`,
        );
      await new Promise<void>((resolve) => {
        // Woken by each result and end; polled too, for conditions on something else (a client's closes).
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `count` results. */
  received(count: number, timeoutMs?: number): Promise<void> {
    return this.until((r) => r.results.length >= count, `${count} results`, timeoutMs);
  }

  /** Waits for the end (completed or failed). */
  end(timeoutMs?: number): Promise<void> {
    return this.until((r) => r.ended, "the end", timeoutMs);
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Close code and reason of a graphql-ws CloseEvent, or the `extensions.code`s of an error array. */
export function describe(error: unknown): unknown {
  if (Array.isArray(error)) return error.map((e: GraphQLFormattedError) => e.extensions?.code);
  if (error && typeof error === "object" && "code" in error)
    return { code: (error as { code: unknown }).code, reason: (error as { reason?: unknown }).reason };
  return error instanceof Error ? error.message : error;
}

/** A graphql-ws client (no retries unless asked), as browsers and Apollo Client's GraphQLWsLink use it. */
export function wsClient(
  url: string,
  { authorization, retry = false }: { authorization?: string; retry?: boolean } = {},
): WsClient & { closes: { code: number; reason: string }[]; sockets: WebSocket[] } {
  const closes: { code: number; reason: string }[] = [];
  const sockets: WebSocket[] = [];
  const client = createWsClient({
    url,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: retry ? 5 : 0,
    retryWait: async () => new Promise((resolve) => setTimeout(resolve, 100)),
    connectionParams: authorization ? { authorization } : {},
    on: {
      connected: (socket) => void sockets.push(socket as WebSocket),
      closed: (event) =>
        void closes.push({
          code: (event as { code: number }).code,
          reason: String((event as { reason: unknown }).reason),
        }),
    },
  });
  return Object.assign(client, { closes, sockets });
}

/** A graphql-sse client in distinct connections mode (its default), without retries. */
export function sseClient(url: string, { authorization }: { authorization?: string } = {}): SseClient {
  return createSseClient({ url, retryAttempts: 0, headers: authorization ? { authorization } : {} });
}

/** Subscribes with a client and records what arrives. */
export function record(
  client: WsClient | SseClient,
  query: string,
  variables: Record<string, unknown> = {},
): { recording: Recording; unsubscribe: () => void } {
  const recording = new Recording();
  const unsubscribe = (client as WsClient).subscribe({ query, variables }, recording.sink as never);
  return { recording, unsubscribe };
}
