import type { RepresentationKey } from "./compiledFetch.js";
import type { Data } from "./deepMerge.js";

/** What `RepresentationIndex.find` returns for an entity without a representation. */
export const MISSING = -1;

/**
 * Finds the representation an entity shares with an earlier one. When the fetch's `requires` is only leaf fields
 * (the usual `__typename id`, or with `@requires` fields), entities are matched on those values through nested
 * maps, without building a representation for the duplicates; otherwise on the representation's JSON. The
 * entity's own values (before input rewrites) decide: equal values give equal representations.
 */
export class RepresentationIndex {
  private readonly byValues = new Map<unknown, unknown>();
  private byJson: Map<string, number> | undefined;
  /** Where `add` puts the next leaf: the map and key `find` stopped at. */
  private pending: { map: Map<unknown, unknown>; key: unknown } | undefined;

  constructor(private readonly key: RepresentationKey | undefined) {}

  /** The index of the entity's representation when an equal one was added; MISSING when it has none; else undefined. */
  find(entity: Data): number | undefined {
    this.pending = undefined;
    const key = this.key;
    if (!key) return undefined;
    // The usual `... on Product { __typename upc }`: an entity of another type has no representation.
    if (key.condition && !key.condition(entity, false)) return MISSING;
    const fields = key.fields;
    let map = this.byValues;
    for (let index = 0; index < fields.length; index++) {
      const name = fields[index]!;
      if (!Object.hasOwn(entity, name)) return MISSING;
      const value = entity[name];
      if (value === undefined) return MISSING;
      // A list or object value (a list-typed @requires field): matched on the JSON instead.
      if (value !== null && typeof value === "object") return undefined;
      const next = map.get(value);
      if (index === fields.length - 1) {
        if (next !== undefined) return next as number;
        this.pending = { map, key: value };
        return undefined;
      }
      if (next === undefined) {
        const created = new Map<unknown, unknown>();
        map.set(value, created);
        map = created;
      } else {
        map = next as Map<unknown, unknown>;
      }
    }
    return undefined;
  }

  /** Records the representation of an entity `find` did not match; returns its index (an earlier one if equal). */
  add(entity: Data, representation: Data, next: number): number {
    if (this.pending) {
      this.pending.map.set(this.pending.key, next);
      return next;
    }
    const key = `${String(entity.__typename)}\u0000${JSON.stringify(representation)}`;
    this.byJson ??= new Map();
    const known = this.byJson.get(key);
    if (known !== undefined) return known;
    this.byJson.set(key, next);
    return next;
  }
}
