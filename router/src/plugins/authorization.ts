import { createHash } from "node:crypto";
import { Kind, print, type DocumentNode, type GraphQLFormattedError, type OperationDefinitionNode } from "graphql";
import {
  HeaderMap,
  type ApolloServerPlugin,
  type GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2 as SubsequentResult,
  type GraphQLRequestContextDidResolveOperation,
} from "@apollo/server";
import {
  authorizeOperation,
  ExpansionLimitError,
  limitError,
  type AuthorizationResult,
  type Denial,
  type ResponsePath,
} from "@commerce/analysis";
import { internalServerError, unauthorizedFieldOrType, unauthorizedOperation } from "@commerce/common";
import type { RouterContext } from "../context.js";
import { patchDeferredPayload, patchResponse } from "../authorization/patchResponse.js";
import type { SupergraphMetadataRegistry } from "../supergraph/registry.js";

/** `filter` removes what the caller may not see; `reject` refuses the operation; `dry_run` only reports. */
export type AuthorizationMode = "filter" | "reject" | "dry_run";

export interface AuthorizationPluginOptions {
  /** Where the supergraph's @authenticated / @requiresScopes of each served schema are kept. */
  registry: SupergraphMetadataRegistry;
  /** @default "filter" */
  mode?: AuthorizationMode;
  /** Hard cap on fragment expansion while filtering. @default 50000 */
  maxSelections?: number;
  /** Called with each operation's denials (all modes), e.g. for metrics. @default none */
  onDenied?: (denied: readonly Denial[], mode: AuthorizationMode) => void;
}

/** What filter mode does to each response of an operation it filtered (to each event, for a subscription). */
export interface FieldFilter {
  /** Sets `null` where the removed fields belong and adds their `UNAUTHORIZED_FIELD_OR_TYPE` errors, in place. */
  apply(result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }): void;
}

/** Mutable view of the request fields this plugin replaces (Apollo types them readonly). */
type Writable = { document: DocumentNode; queryHash: string; operation: OperationDefinitionNode };

/**
 * Enforces the supergraph's @authenticated and @requiresScopes on the operation document, after validation and
 * before planning (field-level hooks do not run at a gateway). In `filter` mode the planner only ever sees the
 * filtered document, so a denied field never reaches a subgraph; the response gets `null` where it was and an
 * `UNAUTHORIZED_FIELD_OR_TYPE` error at its path (`@` for list items).
 */
export function authorizationPlugin({
  registry,
  mode = "filter",
  maxSelections = 50_000,
  onDenied,
}: AuthorizationPluginOptions): ApolloServerPlugin<RouterContext> {
  const outcomes: OutcomeCache = new WeakMap();
  return {
    async requestDidStart() {
      let result: Outcome | undefined;
      const errors = (): GraphQLFormattedError[] =>
        (result?.denied ?? []).map((d) => unauthorizedFieldOrType(d.path, d.coordinate).toJSON());

      return {
        // Synchronous up to its end on purpose: hooks of all plugins start in order, so the cost plugin that
        // follows already sees the filtered document.
        async didResolveOperation(requestContext) {
          result = authorize(requestContext, registry, maxSelections, outcomes);
          if (result.denied.length === 0) return;
          onDenied?.(result.denied, mode);
          if (mode === "reject") throw unauthorizedOperation(result.denied.map((d) => d.coordinate));
          if (mode === "dry_run") {
            requestContext.contextValue.logger.info(
              { denied: result.denied },
              "authorization dry run: fields would be filtered",
            );
            return;
          }
          const writable = requestContext as unknown as Writable;
          const [operation] = result.document.definitions;
          writable.document = result.document;
          if (operation?.kind === Kind.OPERATION_DEFINITION) writable.operation = operation;
          // The gateway caches query plans by this hash: the filtered document must not share the original's plan.
          writable.queryHash = result.filteredHash ??= createHash("sha256")
            .update(print(result.document))
            .digest("hex");
          if (!result.dataIsNull) requestContext.contextValue.fieldFilter = fieldFilterOf(result);
        },
        async responseForOperation() {
          if (mode !== "filter" || !result?.dataIsNull) return null;
          return {
            http: { headers: new HeaderMap() },
            body: { kind: "single", singleResult: { data: null, errors: errors() } },
          };
        },
        async willSendResponse({ response }) {
          if (!result || result.denied.length === 0 || !response.body) return;
          const { body } = response;
          const first = body.kind === "single" ? body.singleResult : body.initialResult;
          if (mode === "dry_run") {
            first.extensions = { ...first.extensions, authorization: { dryRun: true, denied: result.denied } };
            return;
          }
          if (mode !== "filter" || result.dataIsNull) return;
          fieldFilterOf(result).apply(first);
          // Every denial is reported in the first payload; the deferred ones get their nulls where they apply.
          if (body.kind === "incremental")
            body.subsequentResults = patchedPayloads(body.subsequentResults, result.nulls, result.placeholders);
        },
      };
    },
  };
}

/** An authorization result, with the hash of its filtered document and its response filter once computed. */
type Outcome = AuthorizationResult & { filteredHash?: string; filter?: FieldFilter };

function fieldFilterOf(result: Outcome): FieldFilter {
  return (result.filter ??= {
    apply(single) {
      if (!single.data) return;
      patchResponse(single.data, result.nulls, result.placeholders);
      single.errors = [
        ...result.denied.map((d) => unauthorizedFieldOrType(d.path, d.coordinate).toJSON()),
        ...(single.errors ?? []),
      ];
    },
  });
}

async function* patchedPayloads(
  payloads: AsyncIterable<SubsequentResult>,
  nulls: readonly ResponsePath[],
  placeholders: readonly ResponsePath[],
): AsyncGenerator<SubsequentResult> {
  for await (const payload of payloads) {
    for (const item of payload.incremental ?? []) {
      if ("data" in item && item.data) patchDeferredPayload(item.data, item.path ?? [], nulls, placeholders);
    }
    yield payload;
  }
}

/**
 * Results per document, per operation and caller class (anonymous, or signed in with these scopes): they depend on
 * nothing else, and Apollo hands the same document object for the same query text, so a document served again
 * is neither walked nor, when filtered, printed and hashed again. At most MAX_CALLER_CLASSES per document.
 */
type OutcomeCache = WeakMap<DocumentNode, { access: unknown; byCaller: Map<string, Outcome> }>;
const MAX_CALLER_CLASSES = 64;

function authorize(
  requestContext: GraphQLRequestContextDidResolveOperation<RouterContext>,
  registry: SupergraphMetadataRegistry,
  maxSelections: number,
  outcomes: OutcomeCache,
): Outcome {
  const metadata = registry.get(requestContext.schema);
  // Fail closed: without the supergraph's policies nothing can be authorized.
  if (!metadata) throw internalServerError("Authorization is not ready.", { status: 503 });
  const { document } = requestContext;
  const viewer = requestContext.contextValue.viewer;
  const operationName = requestContext.request.operationName;
  let known = outcomes.get(document);
  if (known?.access !== metadata.access) {
    known = { access: metadata.access, byCaller: new Map() };
    outcomes.set(document, known);
  }
  const key = `${operationName ?? ""}\u0000${viewer ? `+${[...viewer.scopes].sort().join(" ")}` : "-"}`;
  const cached = known.byCaller.get(key);
  if (cached) return cached;
  let result: Outcome;
  try {
    result = authorizeOperation(requestContext.schema, document, metadata.access, viewer, {
      operationName,
      maxSelections,
    });
  } catch (error) {
    if (error instanceof ExpansionLimitError)
      throw limitError({
        limit: "maxSelections",
        code: "MAX_SELECTIONS_LIMIT",
        measured: error.max + 1,
        max: error.max,
      });
    throw error;
  }
  if (known.byCaller.size >= MAX_CALLER_CLASSES) known.byCaller.clear();
  known.byCaller.set(key, result);
  return result;
}
