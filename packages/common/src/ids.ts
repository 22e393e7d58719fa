const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string: our ids are Postgres UUIDs, so anything else matches no row (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
