import { PrismaPg } from "@prisma/adapter-pg";

/**
 * Config for the Prisma 6.19 CLI running its WASM schema engine through the pg
 * driver adapter (see src/prismaWasm.ts). Used only where Prisma's native schema
 * engine cannot be downloaded; paths come from the environment set by that file.
 */
type Result = { fields?: { dataTypeID: number }[] };
type PerformIO = (query: unknown) => Promise<Result | Result[]>;

const PG_CHAR = 18; // the internal one-byte "char" type, used by pg_catalog
const PG_TEXT = 25;
let patched = false;

/**
 * Introspection reads pg_catalog "char" columns, which adapter-pg does not map;
 * they are plain text. Patched once on the shared queryable prototype, so
 * transactions and the shadow database connection get it too.
 */
function readCharAsText(adapter: object): void {
  if (patched) return;
  for (let proto = Object.getPrototypeOf(adapter); proto; proto = Object.getPrototypeOf(proto)) {
    if (!Object.hasOwn(proto, "performIO")) continue;
    const performIO = proto.performIO as PerformIO;
    proto.performIO = async function (this: unknown, query: unknown) {
      const result = await performIO.call(this, query);
      // A multi-statement script answers with one result per statement.
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const field of one?.fields ?? []) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
      }
      return result;
    };
    patched = true;
    return;
  }
}

export default {
  engine: "js",
  experimental: { adapter: true },
  schema: process.env.PRISMA_WASM_SCHEMA,
  migrations: { path: process.env.PRISMA_WASM_MIGRATIONS },
  adapter: async () => {
    const factory = new PrismaPg({ connectionString: process.env.DATABASE_URL });
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      readCharAsText(adapter);
      return adapter;
    };
    return factory;
  },
};
