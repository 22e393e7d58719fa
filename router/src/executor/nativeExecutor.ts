import { createHash } from "node:crypto";
import {
  buildOperationContext,
  type ApolloGateway,
  type Experimental_DidResolveQueryPlanCallback,
  type GraphQLDataSource,
} from "@apollo/gateway";
import { operationFromDocument, type Schema } from "@apollo/federation-internals";
import {
  prettyFormatQueryPlan,
  type FetchNode,
  type QueryPlan,
  type QueryPlanner,
  type QueryPlannerConfig,
  type SubscriptionNode,
} from "@apollo/query-planner";
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
} from "@apollo/server-gateway-interface";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { schemaWithDefer } from "@commerce/analysis";
import { activeSpan, tracer } from "@commerce/telemetry";
import { subscriptionNeedsStream } from "@commerce/common";
import {
  GraphQLError,
  Kind,
  getVariableValues,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { Deferral } from "./deferredDelivery.js";
import { deferredOperation, hasDefer } from "./deferredOperation.js";
import { mergeRootResponse } from "./executeFetch.js";
import { executeNode, type PlanExecution } from "./executePlan.js";
import { compileResponseShape } from "./responseShape.js";
import { respond, type CompiledPlan } from "./respond.js";

/** The parts of an ApolloGateway the executor shares: its planner, plan cache, schemas and data sources. */
interface GatewayInternals {
  executor: GatewayExecutor;
  queryPlanStore: {
    get(key: string): Promise<QueryPlan | undefined>;
    set(key: string, plan: QueryPlan): Promise<void>;
  };
  queryPlanner: QueryPlanner;
  /** The API schema (federation-internals). */
  apiSchema: Schema;
  /** The API schema (graphql-js), as Apollo Server validates against it. */
  schema: GraphQLSchema;
  /** The supergraph (graphql-js). */
  supergraphSchema: GraphQLSchema;
  serviceMap: Record<string, { dataSource: GraphQLDataSource<Record<string, unknown>> }>;
  experimental_didResolveQueryPlan?: Experimental_DidResolveQueryPlanCallback;
  recursiveSelectionsLimitDisabled: boolean;
  nonLocalSelectionsLimitDisabled: boolean;
  config: { __exposeQueryPlanExperimental?: boolean; debug?: boolean; queryPlannerConfig?: QueryPlannerConfig };
  logger: { debug(message: string): void; error(message: string): void };
}

/**
 * A planned subscription, handed to the transport that asked for it (`SubscriptionRequestContext.acceptSubscription`)
 * instead of being executed: the transport opens `primary` as a subscription on its subgraph and calls
 * `resolveEvent` with each of its events.
 */
export interface PlannedSubscription {
  /** The root fetch: each event of the subgraph's subscription is an answer to it. */
  readonly primary: FetchNode;
  /** The subscribing operation's request context (its document as planned, variables, context). */
  readonly requestContext: GatewayGraphQLRequestContext;
  /**
   * The response to one event: the rest of the plan (entity fetches from other subgraphs, under their data sources'
   * policies) run over the primary's answer, shaped as for a query. `requestContext` is the event's (its own
   * deadline signal and request id in the context).
   */
  resolveEvent(
    answer: { data?: unknown; errors?: readonly GraphQLFormattedError[] | undefined },
    requestContext: GatewayGraphQLRequestContext,
  ): Promise<GatewayExecutionResult>;
}

/** The context of an operation a subscription transport runs: where a planned subscription is handed over. */
export interface SubscriptionRequestContext {
  acceptSubscription?: (planned: PlannedSubscription) => void;
}

export interface NativeExecutorOptions {
  /** Queries and mutations too (`ROUTER_EXECUTOR=native`); else only subscriptions, which the gateway cannot run. @default true */
  queries?: boolean;
}

/** Names of the members `useNativeExecutor` needs; a gateway release that renames one fails the start, not a request. */
const REQUIRED = ["executor", "queryPlanStore", "onSchemaLoadOrUpdate"] as const;

/**
 * Replaces the gateway's executor with the router's own (`ROUTER_EXECUTOR=native`): the gateway keeps loading,
 * validating and hot-reloading the supergraph and planning (same planner, same plan cache); the router executes
 * the plans (`executePlan`) and shapes the response (`responseShape`), with what depends only on the operation
 * compiled once per plan. Must be called before Apollo Server starts (it reads the executor when it loads the
 * gateway). Requests that ask for Apollo Studio field traces (`ftv1`) still run on the gateway's executor.
 * Subscriptions are planned here and handed to their transport (`PlannedSubscription`), whatever `queries` says.
 *
 * With `queries`, it also turns on `@defer`, which @apollo/gateway's executor does not run: the planner's
 * incremental delivery (Defer nodes), and the directive in the schema Apollo Server validates against. The executor
 * then returns the primary part of a deferred operation, and the rest for `takeDeferredPayloads`.
 */
export function useNativeExecutor(gateway: ApolloGateway, { queries = true }: NativeExecutorOptions = {}): void {
  const internals = gateway as unknown as GatewayInternals;
  for (const member of REQUIRED) {
    if (!(member in gateway) || (internals as unknown as Record<string, unknown>)[member] === undefined) {
      throw new Error(`ROUTER_EXECUTOR=native: this @apollo/gateway has no \`${member}\`; use ROUTER_EXECUTOR=apollo`);
    }
  }
  const apolloExecutor = internals.executor;
  if (queries) {
    // Read when the gateway builds its planner (on each supergraph load); operations without @defer plan as before.
    internals.config.queryPlannerConfig = {
      ...internals.config.queryPlannerConfig,
      incrementalDelivery: { enableDefer: true },
    };
    const onSchemaLoadOrUpdate = gateway.onSchemaLoadOrUpdate.bind(gateway);
    gateway.onSchemaLoadOrUpdate = (callback) =>
      onSchemaLoadOrUpdate((schemaContext) =>
        callback({ ...schemaContext, apiSchema: schemaWithDefer(schemaContext.apiSchema) }),
      );
  }
  const compiledPlans = new WeakMap<QueryPlan, CompiledPlan>();
  let serviceMap: Record<string, GraphQLDataSource<Record<string, unknown>>> | undefined;
  gateway.onSchemaLoadOrUpdate(() => {
    serviceMap = undefined;
  });
  const services = () =>
    (serviceMap ??= Object.fromEntries(
      Object.entries(internals.serviceMap).map(([name, { dataSource }]) => [name, dataSource]),
    ));

  // The gateway's plan-cache key (a hash of the document hash and the operation name), kept per document.
  const planKeys = new WeakMap<DocumentNode, { queryHash: string; operationName: string; key: string }>();
  const keyOf = (document: DocumentNode, queryHash: string, operationName: string | undefined): string => {
    if (!operationName) return queryHash;
    const known = planKeys.get(document);
    if (known?.queryHash === queryHash && known.operationName === operationName) return known.key;
    const key = createHash("sha256").update(queryHash).update(operationName).digest("hex");
    planKeys.set(document, { queryHash, operationName, key });
    return key;
  };

  const compile = (
    queryPlan: QueryPlan,
    operationDefinition: OperationDefinitionNode,
    fragments: DocumentNode["definitions"],
    deferred: DocumentNode | undefined,
  ): CompiledPlan => {
    const apiSchema = internals.apiSchema;
    const known = compiledPlans.get(queryPlan);
    if (known?.apiSchema === apiSchema) return known;
    // An operation with @defer is shaped from the document the planner planned (its deferred fragments labelled).
    const operation = operationFromDocument(
      apiSchema,
      deferred ?? { kind: Kind.DOCUMENT, definitions: [operationDefinition, ...fragments] },
      { validate: false },
    );
    const compiled = { apiSchema, operation, shape: compileResponseShape(operation) };
    compiledPlans.set(queryPlan, compiled);
    return compiled;
  };

  const execute = async (
    requestContext: GatewayGraphQLRequestContext,
    traced: boolean,
  ): Promise<GatewayExecutionResult> => {
    const { request, document, queryHash } = requestContext;
    const operationName = request.operationName ?? undefined;
    const planKey = keyOf(document, queryHash, operationName);
    const operationContext = buildOperationContext({
      schema: internals.schema,
      operationDocument: document,
      operationName,
    });
    const deferred = deferredOperation(document, operationName);
    if (traced) activeSpan()?.setAttribute("graphql.operation.type", operationContext.operation.operation);
    const variableDefinitions = operationContext.operation.variableDefinitions;
    if (variableDefinitions && variableDefinitions.length > 0) {
      const { errors } = getVariableValues(internals.schema, variableDefinitions, request.variables ?? {});
      if (errors) return { errors };
    }
    let queryPlan = await internals.queryPlanStore.get(planKey);
    if (!queryPlan) {
      queryPlan = withSpan(traced, "gateway.plan", () =>
        internals.queryPlanner.buildQueryPlan(
          operationFromDocument(internals.apiSchema, deferred ?? document, { operationName }),
          {
            recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled,
            nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled,
          },
        ),
      );
      try {
        await internals.queryPlanStore.set(planKey, queryPlan);
      } catch (error) {
        internals.logger.error(`Could not store queryPlan${(error as Error)?.message ?? String(error)}`);
      }
    }
    const services_ = services();
    internals.experimental_didResolveQueryPlan?.({
      queryPlan,
      serviceMap: services_,
      requestContext,
      operationContext,
    });

    let compiled: CompiledPlan;
    try {
      compiled = compile(queryPlan, operationContext.operation, Object.values(operationContext.fragments), deferred);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
    const execution: PlanExecution = {
      serviceMap: services_,
      requestContext,
      supergraph: internals.supergraphSchema,
      variableDefinitions: compiled.operation.variableDefinitions,
      errors: [],
      data: {},
      traced,
      deferral: deferred ? new Deferral() : undefined,
    };
    if (queryPlan.node?.kind === "Subscription") return handOver(requestContext, queryPlan.node, compiled, services_);
    const root = queryPlan.node;
    if (root)
      await withSpan(traced, "gateway.execute", () => executeNode(execution, root, { path: [], data: execution.data }));

    const result = withSpan(traced, "gateway.postprocessing", () =>
      respond(requestContext, compiled, execution, internals),
    );
    if (internals.config.__exposeQueryPlanExperimental) exposeQueryPlan(requestContext, queryPlan, result);
    return result;
  };

  /** Gives the transport the subscription's primary fetch and what resolves each of its events. */
  const handOver = (
    requestContext: GatewayGraphQLRequestContext,
    node: SubscriptionNode,
    compiled: CompiledPlan,
    serviceMap: PlanExecution["serviceMap"],
  ): GatewayExecutionResult => {
    const accept = (requestContext.context as SubscriptionRequestContext).acceptSubscription;
    // Transports refuse subscriptions that did not come over a stream before planning; this is the last guard.
    if (!accept) return { errors: [subscriptionNeedsStream()] };
    const supergraph = internals.supergraphSchema;
    accept({
      primary: node.primary,
      requestContext,
      async resolveEvent(answer, eventContext) {
        const execution: PlanExecution = {
          serviceMap,
          requestContext: eventContext,
          supergraph,
          variableDefinitions: compiled.operation.variableDefinitions,
          errors: [],
          data: {},
          // Each event has its own span (the transport's), when the subscription is traced.
          traced: activeSpan() !== undefined,
        };
        mergeRootResponse(execution, node.primary, answer);
        const rest = node.rest;
        if (rest) await executeNode(execution, rest, { path: [], data: execution.data });
        return respond(eventContext, compiled, execution, internals);
      },
    });
    return { data: null };
  };

  internals.executor = async (requestContext) => {
    // Apollo Studio field-level traces are built by the gateway's own executor (which cannot run subscriptions or @defer).
    const subscription = requestContext.operation.operation === "subscription";
    if (!subscription && (!queries || (requestContext.metrics?.captureTraces && !hasDefer(requestContext.document))))
      return apolloExecutor(requestContext);
    const traced = activeSpan() !== undefined;
    if (!traced) return execute(requestContext, false);
    const attributes = requestContext.operationName ? { "graphql.operation.name": requestContext.operationName } : {};
    return tracer().startActiveSpan("gateway.request", { attributes }, async (span: Span) => {
      try {
        const result = await execute(requestContext, true);
        if (result.errors) span.setStatus({ code: SpanStatusCode.ERROR });
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

/** In development, `Apollo-Query-Plan-Experimental: 1` adds the query plan to the response (as the gateway does). */
function exposeQueryPlan(
  requestContext: GatewayGraphQLRequestContext,
  queryPlan: QueryPlan,
  result: GatewayExecutionResult,
): void {
  const headers = requestContext.request.http?.headers;
  if (!headers?.get("Apollo-Query-Plan-Experimental")) return;
  const format = headers.has("Apollo-Query-Plan-Experimental-Format")
    ? headers.get("Apollo-Query-Plan-Experimental-Format")
    : "prettified";
  result.extensions = {
    __queryPlanExperimental:
      format === "prettified"
        ? (queryPlan.node ? prettyFormatQueryPlan(queryPlan) : null) || true
        : format === "internal"
          ? queryPlan
          : true,
  };
}

function withSpan<T>(traced: boolean, name: string, run: () => T): T {
  if (!traced) return run();
  return tracer().startActiveSpan(name, (span: Span) => {
    let result: T;
    try {
      result = run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}
