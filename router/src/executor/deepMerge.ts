/** An object of subgraph data (or a representation). */
export type Data = Record<string, unknown>;

export function isObject(value: unknown): value is Data {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function setOwn(object: Data, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/**
 * Merges subgraph data into the result tree: objects key by key, lists of equal length element by element (lists
 * of lists too: a deferred part may fetch a root field again, and its objects must stay the ones other fetches
 * merge into).
 */
export function deepMerge(target: Data, source: unknown): void {
  if (source === undefined || source === null) return;
  for (const key of Object.keys(source)) {
    const value = (source as Data)[key];
    if (value === undefined) continue;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    // Already merged (an answer shared by several entities): merging an object into itself changes nothing.
    if (current === value) continue;
    if (current && isObject(value)) {
      deepMerge(current as Data, value);
    } else if (Array.isArray(value) && Array.isArray(current) && value.length === current.length) {
      mergeList(current, value);
    } else {
      setOwn(target, key, value);
    }
  }
}

function mergeList(target: unknown[], source: readonly unknown[]): void {
  for (let index = 0; index < source.length; index++) {
    const current = target[index];
    const value = source[index];
    if (isObject(current) && isObject(value)) deepMerge(current, value);
    else if (Array.isArray(current) && Array.isArray(value) && current.length === value.length)
      mergeList(current, value);
    else target[index] = value;
  }
}
