import pg from "pg";

/** Empties every domain table (not _prisma_migrations) so each test starts from its own fixtures. */
export async function truncateAll(
  databaseUrl: string,
  schemas: readonly string[] = ["accounts", "catalog"],
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)`,
      [schemas],
    );
    if (rows.length > 0) await client.query(`TRUNCATE ${rows.map((r) => r.name).join(", ")} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Counts SQL statements; pass `record` as createDb's onQuery. */
export function createQueryCounter() {
  const statements: string[] = [];
  return {
    record: (event: { query: string }) => void statements.push(event.query),
    get count() {
      return statements.length;
    },
    get statements(): readonly string[] {
      return statements;
    },
    reset: () => void statements.splice(0),
  };
}
