import { ERRORS, errorCodeDef } from "@apollo/federation-internals";
import type { FetchNode } from "@apollo/query-planner";
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import { forwardedSubgraphError } from "@commerce/common";
import type { Data } from "./deepMerge.js";
import type { Cursor } from "./executePlan.js";

/** Subgraph errors as the router reports them: at their paths in the response, with the subgraph's name. */

type Path = (string | number)[];

/**
 * With de-duplicated representations, an error at `_entities.<i>` stands for every entity that shares the i-th
 * representation: it is repeated at each of their positions in the list @apollo/gateway would have sent (`sentAs`
 * maps each of those positions to the representation sent), in position order.
 */
export function fanOut(
  errors: readonly GraphQLFormattedError[],
  sentAs: readonly number[] | undefined,
): GraphQLFormattedError[] {
  if (!sentAs) return [...errors];
  const indexed: { position: number; order: number; error: GraphQLFormattedError }[] = [];
  const unindexed: GraphQLFormattedError[] = [];
  errors.forEach((error, order) => {
    const unique = error.path?.[1];
    if (typeof unique !== "number" || unique < 0 || !sentAs.includes(unique)) {
      unindexed.push(error);
      return;
    }
    sentAs.forEach((sent, position) => {
      if (sent === unique)
        indexed.push({ position, order, error: { ...error, path: ["_entities", position, ...error.path!.slice(2)] } });
    });
  });
  indexed.sort((a, b) => a.position - b.position || a.order - b.order);
  return [...indexed.map((entry) => entry.error), ...unindexed];
}
export type ErrorPath = (path: GraphQLFormattedError["path"]) => Path | undefined;

/**
 * The response path of a subgraph error: an `_entities.<i>` path becomes the path of the entity of the i-th
 * representation. `entityAt` maps representations to entities when some entities had none (a type condition left
 * them out): @apollo/gateway takes the i-th entity there, which is another one (often met in deferred fetches).
 */
export function errorPaths(
  node: FetchNode,
  cursor: Cursor,
  data: Data,
  entityAt: readonly number[] | undefined,
): ErrorPath {
  let entityPaths: Path[] | undefined;
  return (path) => {
    if (node.requires && typeof path?.[1] === "number") {
      entityPaths ??= pathsOfEntities(cursor.path, data);
      const entity = entityAt ? entityAt[path[1]] : path[1];
      return [...(entity === undefined ? [] : (entityPaths[entity] ?? [])), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** The concrete path (list indexes filled in) of every non-null value at `path`, in document order. */
function pathsOfEntities(path: readonly (string | number)[], data: unknown): Path[] {
  const paths: Path[] = [];
  const walk = (value: unknown, from: number, prefix: Path): void => {
    if (value === null || value === undefined) return;
    if (from === path.length) {
      paths.push([...prefix]);
      return;
    }
    const key = path[from];
    if (key === "@" || (typeof key === "string" && Array.isArray(value))) {
      if (!Array.isArray(value)) throw new Error("expected array when encountering `@`");
      value.forEach((element: unknown, index) => {
        prefix.push(index);
        walk(element, key === "@" ? from + 1 : from, prefix);
        prefix.pop();
      });
    } else if (typeof key === "string") {
      if (Object.hasOwn(value as object, key)) {
        prefix.push(key);
        walk((value as Data)[key], from + 1, prefix);
        prefix.pop();
      }
    } else {
      throw new Error(`unknown path part "${String(key)}"`);
    }
  };
  walk(data, 0, []);
  return paths;
}
/** A subgraph error as the router reports it: its own code kept (else DOWNSTREAM_SERVICE_ERROR), `serviceName` added. */
export function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  path: ErrorPath,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as unknown as Error,
    path: path(original.path),
    extensions: { ...original.extensions, serviceName },
  };
  const known = errorCodeDef(original);
  if (!known && original.extensions?.code) return forwardedSubgraphError(message, options);
  return (known ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
