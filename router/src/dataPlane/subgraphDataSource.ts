import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ErrorCode, subgraphFailed, type Logger } from "@commerce/common";
import { ROUTER_SIGNATURE_HEADER, REQUEST_ID_HEADER } from "@commerce/http";
import { CallFailure, HttpStatusError, classifyFailure, type CallPolicy } from "@commerce/resilience";
import { injectTraceContext, startSubgraphFetch, type GraphMetrics } from "@commerce/telemetry";
import { Kind, type DocumentNode, type GraphQLFormattedError } from "graphql";
import type { RouterContext } from "../context.js";
import { failedPaths } from "./failurePaths.js";
import type { RawResponse, SubgraphHttpClient } from "./httpClient.js";
import { InflightCalls, untilAborted } from "./inflight.js";

export interface SubgraphDataSourceOptions {
  /** The subgraph's name, for spans, metrics and errors (`serviceName`). */
  name: string;
  /** Its GraphQL endpoint. */
  url: string;
  /** The shared keep-alive connections. */
  client: SubgraphHttpClient;
  /** The subgraph's timeout, retry and breaker policy. */
  policy: CallPolicy;
  /** Fetch latency and errors. @default none */
  metrics?: GraphMetrics | undefined;
  /** The router signature for now (`x-router-signature`), when subgraphs check it. @default unsigned */
  sign?: (() => string) | undefined;
  /** Share one call among identical queries in flight (same subgraph, body and answer-changing headers). @default true */
  deduplicate?: boolean;
  /** Logs a failed fetch with its internal cause (the client only sees the code and a safe reason). @default silent */
  logger?: Logger | undefined;
}

/** Headers the gateway itself asks for, which change the answer (usage reporting's federated trace). */
const INCLUDE_TRACE_HEADER = "apollo-federation-include-trace";

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource["process"]>>;

/**
 * Calls a subgraph over pooled keep-alive HTTP (undici), under the subgraph's call policy: a timeout per attempt,
 * retries only for queries (root and `_entities` fetches, never mutations) within the retry budget, a circuit
 * breaker. Forwards the caller's Authorization and request id, the trace context and the router signature.
 *
 * Identical queries in flight share one call. The key is the subgraph (one instance per subgraph), the body and
 * every forwarded header that can change the answer: Authorization (so two callers with different tokens never
 * share) and the gateway's trace request. Request id, trace context and the signature's timestamp do not change
 * it. Each caller parses the shared body itself, since the gateway merges responses into its result in place.
 *
 * A failed fetch never throws: it answers the errors of the fields it would have resolved (see `failedPaths`),
 * coded `SUBGRAPH_UNAVAILABLE` / `SUBGRAPH_TIMEOUT` / `SUBGRAPH_CIRCUIT_OPEN` / `SUBGRAPH_HTTP_ERROR` with the
 * `serviceName`, so nullable fields become null with an error at their path and the rest of the response stands.
 * `process()` is the only entry point: any executor of query plans gets the same policies.
 */
export class SubgraphDataSource implements GraphQLDataSource<RouterContext> {
  readonly name: string;
  readonly policy: CallPolicy;
  private readonly url: URL;
  private readonly client: SubgraphHttpClient;
  private readonly metrics: GraphMetrics | undefined;
  private readonly sign: (() => string) | undefined;
  private readonly logger: Logger | undefined;
  private readonly inflight: InflightCalls<RawResponse> | undefined;

  constructor({ name, url, client, policy, metrics, sign, deduplicate = true, logger }: SubgraphDataSourceOptions) {
    this.name = name;
    this.url = new URL(url);
    this.client = client;
    this.policy = policy;
    this.metrics = metrics;
    this.sign = sign;
    this.logger = logger;
    this.inflight = deduplicate ? new InflightCalls<RawResponse>() : undefined;
  }

  async process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
    });
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.sign) headers[ROUTER_SIGNATURE_HEADER] = this.sign();
    const includeTrace = request.http?.headers.get(INCLUDE_TRACE_HEADER);
    if (includeTrace) headers[INCLUDE_TRACE_HEADER] = includeTrace;
    // Health checks and schema loads carry no caller.
    if (!("incomingRequestContext" in options))
      return parseResponse(await this.call(headers, body, true, undefined), this.name);

    const { authorization, requestId, signal } = options.context;
    if (authorization) headers.authorization = authorization;
    headers[REQUEST_ID_HEADER] = requestId;
    injectTraceContext({ set: (name, value) => void (headers[name] = value) });
    const query = !isMutation(options.document, request.query);
    const fetch = startSubgraphFetch(this.metrics, this.name, request.variables);
    try {
      let raw: RawResponse;
      if (this.inflight && query) {
        const key = `${authorization ?? ""}\n${includeTrace ?? ""}\n${body}`;
        raw = (await this.inflight.run(key, (shared) => this.call(headers, body, true, shared), signal)).value;
      } else {
        raw = await untilAborted(this.call(headers, body, query, signal), signal);
      }
      const response = parseResponse(raw, this.name);
      fetch.finish({ status: raw.status, errorCount: response.errors?.length ?? 0 });
      return response;
    } catch (error) {
      const failure = classifyFailure(error, { cancelledBy: signal });
      fetch.fail(failure);
      if (!failure.cancelled && failure.code !== ErrorCode.SUBGRAPH_CIRCUIT_OPEN) {
        (options.context.logger ?? this.logger)?.warn(
          { subgraph: this.name, code: failure.code, reason: failure.reason, err: failure.cause },
          "subgraph fetch failed",
        );
      }
      const representations = request.variables?.representations;
      const paths = failedPaths(
        options.document,
        request.query,
        Array.isArray(representations) ? representations.length : undefined,
      );
      return { errors: errorsAt(paths, failure, this.name) };
    }
  }

  /** One call under the policy: non-2xx is a failure (`HttpStatusError`); the body is read whole. */
  private call(
    headers: Record<string, string>,
    body: string,
    idempotent: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    return this.policy.execute(
      async (attemptSignal) => {
        const raw = await this.client.post(this.url, headers, body, attemptSignal);
        if (raw.status < 200 || raw.status > 299) throw new HttpStatusError(raw.status);
        return raw;
      },
      { idempotent, signal },
    );
  }
}

/** The errors of a failed fetch, one per path (or one without a path when the fetch's fields are unknown). */
function errorsAt(paths: (string | number)[][], failure: CallFailure, serviceName: string): GraphQLFormattedError[] {
  const details = { code: failure.code, serviceName, reason: failure.reason };
  if (paths.length === 0) return [subgraphFailed(details).toJSON()];
  return paths.map((path) => subgraphFailed(details, path).toJSON());
}

/** A subgraph's answer; a 2xx body that is not a GraphQL response is a `SUBGRAPH_HTTP_ERROR`. */
function parseResponse(raw: RawResponse, serviceName: string): GatewayGraphQLResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.body);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || (!("data" in parsed) && !("errors" in parsed))) {
    throw new CallFailure({
      code: ErrorCode.SUBGRAPH_HTTP_ERROR,
      reason: `not a GraphQL response from ${serviceName}`,
      status: raw.status,
      retryable: false,
      trips: false,
    });
  }
  return parsed as GatewayGraphQLResponse;
}

const mutations = new WeakMap<DocumentNode, boolean>();

/** Whether a fetch is a mutation: from the fetch's document (cached), else from the query text. */
function isMutation(document: DocumentNode | undefined, query: string | undefined): boolean {
  if (!document) return query !== undefined && /^\s*mutation\b/.test(query);
  let mutation = mutations.get(document);
  if (mutation === undefined) {
    mutation = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation");
    mutations.set(document, mutation);
  }
  return mutation;
}
