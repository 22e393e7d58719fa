// JSON with every object's keys sorted, so two gateways' answers compare byte for byte whatever their key order.

/** `JSON.stringify` with object keys sorted at every level (array order is kept: it is meaningful). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** Where two canonical JSON texts first differ, with a little context, or undefined when they are equal. */
export function firstDifference(a: string, b: string, context = 60): string | undefined {
  if (a === b) return undefined;
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  const from = Math.max(0, index - context);
  return `at character ${index}: …${a.slice(from, index + context)}… vs …${b.slice(from, index + context)}…`;
}
