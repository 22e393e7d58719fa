/** What unnamed operations are counted as. */
export const ANONYMOUS_OPERATION = "anonymous";
/** What every operation name past the bound (or not a GraphQL name) is counted as. */
export const OTHER_OPERATION = "other";

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export interface OperationNameFolder {
  /** The metric label for an operation name: the name itself while the bound allows, else "other". */
  fold(name: string | null | undefined): string;
  /** Names always kept as themselves (a persisted-operations manifest); they do not use up the bound. */
  allow(names: Iterable<string>): void;
}

/**
 * Bounds the cardinality of operation-name labels. Allowed names (the safelist manifest) always
 * pass; other names pass on a first-come basis until `maxNames` distinct ones were seen, then
 * fold to "other". A first-come set (not an LRU) because Prometheus keeps every series it has
 * seen: evicting a name would not remove its series, only let a new one in.
 */
export function createOperationNameFolder({
  allowed = [],
  maxNames = 100,
}: { allowed?: Iterable<string>; maxNames?: number } = {}): OperationNameFolder {
  const known = new Set<string>(allowed);
  const seen = new Set<string>();
  return {
    fold(name) {
      if (name === null || name === undefined || name === "") return ANONYMOUS_OPERATION;
      if (known.has(name) || seen.has(name)) return name;
      if (!GRAPHQL_NAME.test(name) || seen.size >= maxNames) return OTHER_OPERATION;
      seen.add(name);
      return name;
    },
    allow(names) {
      for (const name of names) known.add(name);
    },
  };
}
