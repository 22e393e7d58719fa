import type { ResponsePath } from "@commerce/analysis";

/**
 * Applies a filtered operation's bookkeeping to its response data, in place: strips the placeholder keys and sets
 * `null` where removed fields (or their nearest nullable parents) belong. `@` in a path walks every list item;
 * a path through a missing or null object is skipped.
 */
export function patchResponse(
  data: Record<string, unknown>,
  nulls: readonly ResponsePath[],
  placeholders: readonly ResponsePath[],
): void {
  for (const path of placeholders) visit(data, path, (object, key) => delete object[key]);
  for (const path of nulls) visit(data, path, (object, key) => (object[key] = null));
}

/**
 * `patchResponse` for a deferred payload: its data sits at `at` in the response, so only the paths through `at`
 * apply, from there on (`@` in a path matches any list index).
 */
export function patchDeferredPayload(
  data: Record<string, unknown>,
  at: readonly (string | number)[],
  nulls: readonly ResponsePath[],
  placeholders: readonly ResponsePath[],
): void {
  const below = (paths: readonly ResponsePath[]) =>
    paths
      .filter(
        (path) =>
          path.length > at.length &&
          at.every((key, index) => path[index] === key || (path[index] === "@" && typeof key === "number")),
      )
      .map((path) => path.slice(at.length));
  patchResponse(data, below(nulls), below(placeholders));
}

function visit(
  value: unknown,
  path: ResponsePath,
  apply: (object: Record<string, unknown>, key: string) => void,
  at = 0,
): void {
  const key = path[at];
  if (key === undefined) return;
  const last = at === path.length - 1;
  if (key === "@") {
    if (!Array.isArray(value)) return;
    if (last) {
      for (let i = 0; i < value.length; i += 1) value[i] = null;
      return;
    }
    for (const item of value) visit(item, path, apply, at + 1);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const object = value as Record<string, unknown>;
  if (last) apply(object, key);
  else visit(object[key], path, apply, at + 1);
}
