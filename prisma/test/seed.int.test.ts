import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, type Db } from "../src/client.js";
import { migrate } from "../src/migrate.js";
import { createScratchDatabase, type ScratchDatabase } from "../src/scratch.js";
import { seed } from "../src/seed.js";
import { DEMO_USERS } from "../src/seedData.js";

let scratch: ScratchDatabase;
let db: Db;
beforeAll(async () => {
  scratch = await createScratchDatabase(inject("postgresUrl"));
  await migrate(scratch.url);
  db = createDb(scratch.url, { poolSize: 2 });
});
afterAll(async () => {
  await db?.$disconnect();
  await scratch?.drop();
});

describe("seed", () => {
  it("inserts the catalog and rewards only without demo accounts, then the demo accounts and their data, and nothing a second time", async () => {
    const catalogOnly = await seed(db, { demoAccounts: false, passwordHashCost: 10 });
    expect(catalogOnly.inserted).toMatchObject({ users: 0, favorites: 0, orders: 0, ledgerEntries: 0, reviews: 0 });
    expect(catalogOnly.inserted.categories).toBeGreaterThan(0);
    expect(catalogOnly.inserted.products).toBeGreaterThan(0);
    expect(catalogOnly.inserted.rewards).toBeGreaterThan(0);
    expect(await db.user.count()).toBe(0);

    const full = await seed(db, { passwordHashCost: 10 });
    expect(full.inserted).toMatchObject({ categories: 0, products: 0, rewards: 0 });
    expect(full.inserted.users).toBeGreaterThan(0);
    expect(full.inserted.orders).toBeGreaterThan(0);
    expect(await db.user.findUnique({ where: { email: DEMO_USERS.customer }, select: { email: true } })).toEqual({
      email: DEMO_USERS.customer,
    });

    const again = await seed(db, { passwordHashCost: 10 });
    expect(Object.values(again.inserted).every((n) => n === 0)).toBe(true);
  });
});
