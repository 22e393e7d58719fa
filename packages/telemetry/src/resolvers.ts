import { SpanStatusCode, context, trace, type Span } from "@opentelemetry/api";
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from "graphql";
import type { ResolverSpanMode } from "./config.js";
import { isSampled } from "./http.js";
import { tracer } from "./tracing.js";

type Resolver = GraphQLFieldResolver<unknown, unknown>;

/** graphql-js's default resolver, restated: importing graphql here could load a second copy of it. */
const defaultResolver: Resolver = (source, args, ctx, info) => {
  const value = (source as Record<string, unknown> | null | undefined)?.[info.fieldName];
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).call(source, args, ctx, info) : value;
};

/** `products.edges.3.node.category` */
function pathOf(info: GraphQLResolveInfo): string {
  const keys: Array<string | number> = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) keys.push(p.key);
  return keys.reverse().join(".");
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * Gives resolvers a `resolve Type.field` span, the active span while they run, so the DataLoader
 * batches, SQL statements and Redis commands they cause nest under them. `own` wraps only fields
 * with their own resolver (apply it before resolver middleware such as graphql-shield, which gives
 * every field one) and records the span only when the resolver waits for something (it returns a
 * promise, or a list of them): the span of a resolver that answers at once (a rename, a key-only
 * stub, a list mapped from its parent) is dropped unended, never exported — on a page of entities
 * those are most resolver calls, and exporting a span each cost more than the resolvers did.
 * `all` wraps every field and records every span; `none` leaves the schema alone. Spans are only
 * made inside a recorded trace. Mutates and returns `schema`.
 */
export function instrumentResolvers(schema: GraphQLSchema, mode: ResolverSpanMode = "own"): GraphQLSchema {
  if (mode === "none") return schema;
  const recordsSynchronous = mode === "all";
  for (const type of Object.values(schema.getTypeMap())) {
    // Object types only (duck-typed: interfaces have no isTypeOf), never introspection types.
    if (type.name.startsWith("__") || !("getFields" in type) || !("isTypeOf" in type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!("resolve" in field)) continue;
      if (mode === "own" && field.resolve === undefined) continue;
      const original: Resolver = field.resolve ?? defaultResolver;
      const name = `resolve ${type.name}.${field.name}`;
      const wrapped: Resolver = (source, args, ctx, info) => {
        const parent = context.active();
        if (!isSampled(parent)) return original(source, args, ctx, info);
        const span = tracer().startSpan(
          name,
          {
            attributes: {
              "graphql.field.name": field.name,
              "graphql.field.parent_type": type.name,
              "graphql.field.path": pathOf(info),
            },
          },
          parent,
        );
        return context.with(trace.setSpan(parent, span), () => {
          let result: unknown;
          try {
            result = original(source, args, ctx, info);
          } catch (error) {
            fail(span, error);
            throw error;
          }
          if (Array.isArray(result) && result.some(isPromiseLike)) {
            // A list of promises (e.g. `_entities`, one per representation): the work ends when they all settle.
            void Promise.allSettled(result).then(() => span.end());
            return result;
          }
          if (!isPromiseLike(result)) {
            // Unended, the span is never exported (span processors only see ended spans).
            if (recordsSynchronous) span.end();
            return result;
          }
          return Promise.resolve(result).then(
            (value) => {
              span.end();
              return value;
            },
            (error: unknown) => {
              fail(span, error);
              throw error;
            },
          );
        });
      };
      field.resolve = wrapped;
    }
  }
  return schema;
}
