/**
 * Runs `find` once for a batch of keys (not at all for an empty batch) and keys its rows by `keyOf`; keys without a
 * row are absent. The shape of every `findXByIds` a DataLoader batches through.
 */
export async function findKeyed<K, T>(
  keys: readonly K[],
  find: (keys: K[]) => Promise<T[]>,
  keyOf: (row: T) => K,
): Promise<Map<K, T>> {
  if (keys.length === 0) return new Map();
  const rows = await find([...keys]);
  return new Map(rows.map((row) => [keyOf(row), row]));
}

/**
 * Runs `find` once for a batch of keys (not at all for an empty batch) and groups its rows by `keyOf`, in the order
 * `find` returned them; every key is present, with `[]` when it has no rows (an order's items, a user's page).
 */
export async function findGrouped<K, T>(
  keys: readonly K[],
  find: (keys: K[]) => Promise<T[]>,
  keyOf: (row: T) => K,
): Promise<Map<K, T[]>> {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  if (keys.length === 0) return groups;
  for (const row of await find([...keys])) groups.get(keyOf(row))?.push(row);
  return groups;
}
