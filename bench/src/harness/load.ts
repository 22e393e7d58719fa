// One burst of load with autocannon, recording every response's latency and counting failures: transport
// errors, timeouts, non-2xx, and 2xx responses that carry GraphQL errors.
import autocannon from "autocannon";

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** A fresh Authorization header value for every request. */
  authorization?: () => string;
  /**
   * A sequence each connection sends in a loop instead of `body` (a session: log in, browse, order…), with
   * autocannon's per-connection `context` shared along it; restarts with a fresh context after the last one.
   */
  sequence?: autocannon.Request[];
  /** Requests per second over all connections (steady-rate mode); unset: as fast as the gateway answers. */
  rate?: number;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** The first failed response (status and the start of its body), to say what went wrong. */
  firstError?: string;
  /** Failures counted by cause: the HTTP status with the GraphQL error codes of the answer, or no answer at all. */
  causes: Record<string, number>;
  seconds: number;
  latencies: number[];
}

export async function runLoad({
  url,
  body,
  connections,
  durationSeconds,
  headers = {},
  authorization,
  sequence,
  rate,
}: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const causes: Record<string, number> = {};
  const single: autocannon.Request = authorization
    ? {
        setupRequest: (next: autocannon.Request) => ({
          ...next,
          headers: { ...next.headers, authorization: authorization() },
        }),
      }
    : {};
  const requests = (sequence ?? [single]).map((request): autocannon.Request => ({
    ...request,
    // A GraphQL error in a 200 response is a failure too.
    onResponse: (status, text, context, responseHeaders) => {
      if (status >= 200 && status < 300 && !text.includes('"errors"')) ok += 1;
      else {
        failed += 1;
        firstError ??= `HTTP ${status}: ${text.slice(0, 300)}`;
        const cause = causeOf(status, text);
        causes[cause] = (causes[cause] ?? 0) + 1;
      }
      if (typeof request.onResponse === "function") request.onResponse(status, text, context, responseHeaders);
    },
  }));
  const started = performance.now();
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        method: "POST",
        connections,
        duration: durationSeconds,
        timeout: 30,
        headers: { "content-type": "application/json", ...headers },
        body,
        requests,
        ...(rate ? { overallRate: rate } : {}),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance?.on("response", (_client: unknown, _status: number, _bytes: number, milliseconds: number) => {
    latencies.push(milliseconds);
  });
  const result = await done;
  // result.errors: connection errors and timeouts (no response at all).
  if (result.errors > 0) causes["no answer (connection error or timeout)"] = result.errors;
  return {
    ok,
    errors: failed + result.errors,
    ...(firstError ? { firstError } : {}),
    causes,
    seconds: (performance.now() - started) / 1000,
    latencies,
  };
}

/** `HTTP 200 SUBGRAPH_TIMEOUT, DOWNSTREAM_SERVICE_ERROR`: the status and the distinct error codes of a failed answer. */
export function causeOf(status: number, text: string): string {
  const codes = [...new Set([...text.matchAll(/"code":\s*"([^"]+)"/g)].map((match) => match[1]))].sort();
  return codes.length > 0 ? `HTTP ${status} ${codes.join(", ")}` : `HTTP ${status}`;
}
