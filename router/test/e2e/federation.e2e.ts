import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, DEMO_USERS, SEED_PASSWORD } from "@commerce/db";
import { defined, errorCodes, postGraphQL } from "@commerce/testing";
import { inject } from "vitest";
import { startGraph, type Graph } from "./graph.js";

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) { accessToken refreshToken user { id } }
}`;

async function logIn(email: string, password = SEED_PASSWORD) {
  const response = await postGraphQL<{ logIn: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    graph.url,
    LOG_IN,
    { email, password },
  );
  expect(response.errors).toBeUndefined();
  return defined(response.data?.logIn, "logIn");
}

describe("federated favourites", () => {
  it("joins accounts and catalog for the signed-in user, matching Postgres", async () => {
    const session = await logIn(DEMO_USERS.customer);
    const response = await postGraphQL<{
      me: { favorites: { name: string; price: { amount: number; currency: string }; category: { name: string } }[] };
    }>(
      graph.url,
      `{ me { favorites { name price { amount currency } category { name } } } }`,
      {},
      { authorization: `Bearer ${session.accessToken}` },
    );
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();

    const db = createDb(inject("databaseUrl"), { poolSize: 1 });
    const favorites = await db.favorite.findMany({
      where: { userId: session.user.id },
      orderBy: { createdAt: "desc" },
    });
    const products = await db.product.findMany({
      where: { id: { in: favorites.map((f) => f.productId) } },
      include: { category: true },
    });
    await db.$disconnect();
    const byId = new Map(products.map((p) => [p.id, p]));
    const expected = favorites.map((f) => {
      const p = defined(byId.get(f.productId), "favourite product");
      return {
        name: p.name,
        price: { amount: p.priceAmount, currency: p.currency },
        category: { name: p.category.name },
      };
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(response.data?.me.favorites).toEqual(expected);
  });

  it("adding a favourite through the router shows up in the join", async () => {
    const session = await logIn(DEMO_USERS.staff);
    const auth = { authorization: `Bearer ${session.accessToken}` };
    const page = await postGraphQL<{ products: { edges: { node: { id: string; name: string } }[] } }>(
      graph.url,
      `{ products(first: 1) { edges { node { id name } } } }`,
    );
    const product = defined(page.data?.products.edges[0]?.node, "first product");
    const added = await postGraphQL(
      graph.url,
      `mutation($id: ID!) { addFavorite(input: { productId: $id }) { user { id } } }`,
      { id: product.id },
      auth,
    );
    expect(added.errors).toBeUndefined();
    const me = await postGraphQL<{ me: { favorites: { name: string }[] } }>(
      graph.url,
      `{ me { favorites { name } } }`,
      {},
      auth,
    );
    expect(me.data?.me.favorites[0]?.name).toBe(product.name);
  });
});

describe("sessions through the router", () => {
  it("sign-up → log-in → me → refresh rotation → reuse detection", async () => {
    const email = `e2e.${Date.now()}@example.com`;
    const password = "a-long-unusual-passphrase";
    const signUp = await postGraphQL<{ signUp: { user: { id: string } } }>(
      graph.url,
      `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`,
      { input: { email, password, displayName: "E2E Shopper" } },
    );
    expect(signUp.errors).toBeUndefined();
    const session = await logIn(email.toUpperCase(), password);
    expect(session.user.id).toBe(signUp.data?.signUp.user.id);

    const me = await postGraphQL<{ me: { email: string; displayName: string } }>(
      graph.url,
      `{ me { email displayName } }`,
      {},
      { authorization: `Bearer ${session.accessToken}` },
    );
    expect(me.data?.me).toEqual({ email, displayName: "E2E Shopper" });

    const REFRESH = `mutation($t: String!) { refreshAccessToken(input: { refreshToken: $t }) { accessToken refreshToken } }`;
    const rotated = await postGraphQL<{ refreshAccessToken: { accessToken: string; refreshToken: string } }>(
      graph.url,
      REFRESH,
      { t: session.refreshToken },
    );
    expect(rotated.errors).toBeUndefined();
    const next = defined(rotated.data?.refreshAccessToken, "rotated tokens");
    expect(next.refreshToken).not.toBe(session.refreshToken);

    const reused = await postGraphQL(graph.url, REFRESH, { t: session.refreshToken });
    expect(errorCodes(reused.errors)).toEqual(["UNAUTHENTICATED"]);
    expect(reused.errors?.[0]?.extensions?.reason).toBe("REFRESH_TOKEN_REUSED");
    // Reuse revoked the whole family, including the token issued by the rotation.
    const afterReuse = await postGraphQL(graph.url, REFRESH, { t: next.refreshToken });
    expect(errorCodes(afterReuse.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses an invalid access token with UNAUTHENTICATED", async () => {
    const response = await postGraphQL(graph.url, `{ me { id } }`, {}, { authorization: "Bearer not-a-jwt" });
    expect(errorCodes(response.errors)).toContain("UNAUTHENTICATED");
  });
});

describe("catalog pagination through the router", () => {
  const PAGE = `query($first: Int, $after: String) { products(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
  type Page = {
    products: {
      totalCount: number;
      edges: { cursor: string; node: { id: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };

  it("walks from the first page to the last without gaps or repeats", async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    let total = 0;
    for (;;) {
      const response: Awaited<ReturnType<typeof postGraphQL<Page>>> = await postGraphQL<Page>(graph.url, PAGE, {
        first: 100,
        after,
      });
      expect(response.errors).toBeUndefined();
      const page = defined(response.data?.products, "page");
      total = page.totalCount;
      for (const edge of page.edges) seen.add(edge.node.id);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(total).toBe(500);
    expect(seen.size).toBe(500);
    expect(pages).toBe(5);
  });

  it("rejects an invalid cursor and a page size over the max with BAD_USER_INPUT", async () => {
    const badCursor = await postGraphQL(graph.url, PAGE, { first: 10, after: "definitely-not-a-cursor" });
    expect(errorCodes(badCursor.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(badCursor.errors?.[0]?.extensions?.field).toBe("after");
    // 101: over the catalog's page size, still under the router's cost limit (1000 would be refused there first).
    const tooMany = await postGraphQL(graph.url, PAGE, { first: 101 });
    expect(errorCodes(tooMany.errors)).toEqual(["BAD_USER_INPUT"]);
    expect(tooMany.errors?.[0]?.extensions?.field).toBe("first");
  });
});

describe("no N+1", () => {
  it("100 products with their categories cost a bounded number of SQL statements", async () => {
    const query = `{ products(first: 100) { edges { node { name price { amount currency } category { name } } } } }`;
    await graph.redis.flushall();
    graph.sql.catalog.reset();
    const cold = await postGraphQL<{ products: { edges: { node: { category: { name: string } } }[] } }>(
      graph.url,
      query,
    );
    expect(cold.errors).toBeUndefined();
    expect(cold.data?.products.edges).toHaveLength(100);
    // Cold cache: one statement for the page, one for every category on it (one batch).
    expect(graph.sql.catalog.count).toBe(2);

    graph.sql.catalog.reset();
    const warm = await postGraphQL(graph.url, query);
    expect(warm.errors).toBeUndefined();
    // Warm Redis: categories come from one MGET; only the page query reaches Postgres.
    expect(graph.sql.catalog.count).toBe(1);
  });
});
