import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createTokenSigner } from "@commerce/auth";
import { defined, errorCodes, truncateAll } from "@commerce/testing";
import { scopesForRoles } from "../src/scopes.js";
import { USER_CACHE_NAMESPACE } from "../src/loaders.js";
import { seededFavorites, seededUsers } from "./fixtures/users.js";
import { startHarness, type Harness } from "./harness.js";

const [grace, linus, barbara] = seededUsers;
const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id displayName roles favorites { id } } }
}`;
const ADD = `mutation ($productId: ID!) { addFavorite(input: { productId: $productId }) { user { id favorites { id } } } }`;
const REMOVE = `mutation ($productId: ID!) { removeFavorite(input: { productId: $productId }) { user { id favorites { id } } } }`;

let harness: Harness;
let tokenFor: (user: (typeof seededUsers)[number]) => Promise<string>;

beforeAll(async () => {
  harness = await startHarness();
  const signer = createTokenSigner({ secret: harness.deps.config.jwtSecret, ttlSeconds: 300 });
  tokenFor = (user) => signer.sign(user.id, scopesForRoles(user.roles));
});
afterAll(() => harness.stop());
beforeEach(async () => {
  await truncateAll(inject("databaseUrl"));
  await harness.redis.flushdb();
  await harness.deps.db.user.createMany({ data: [...seededUsers] });
  await harness.deps.db.favorite.createMany({ data: [...seededFavorites] });
  harness.queries.reset();
});

describe("_entities", () => {
  const USERS = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id displayName roles createdAt } } }`;

  it("resolves many users with one SQL query, then from Redis with none", async () => {
    const representations = seededUsers.map(({ id }) => ({ __typename: "User", id }));

    const first = await harness.gql(USERS, { representations });
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({
      _entities: [
        { id: grace.id, displayName: "Grace", roles: ["CUSTOMER"], createdAt: expect.any(String) },
        { id: linus.id, displayName: "Linus", roles: ["STAFF"], createdAt: expect.any(String) },
        { id: barbara.id, displayName: "Barbara", roles: ["CUSTOMER", "ADMIN"], createdAt: expect.any(String) },
      ],
    });
    expect(harness.queries.count).toBe(1);
    expect(harness.queries.statements[0]).toContain('"accounts"."users"');
    expect(await harness.redis.exists(...seededUsers.map(({ id }) => `${USER_CACHE_NAMESPACE}:${id}`))).toBe(3);

    harness.queries.reset();
    const second = await harness.gql(USERS, { representations });
    expect(second.data).toEqual(first.data);
    expect(harness.queries.count).toBe(0);
  });

  it("resolves unknown ids to null, and never sends malformed ones to Postgres", async () => {
    const representations = [
      { __typename: "User", id: grace.id },
      { __typename: "User", id: "5e0c8b1a-0000-4000-8000-000000000000" },
      { __typename: "User", id: "not-a-uuid" },
    ];
    const response = await harness.gql(USERS, { representations });
    expect(response.errors).toBeUndefined();
    expect((response.data as { _entities: unknown[] })._entities).toEqual([
      expect.objectContaining({ id: grace.id }),
      null,
      null,
    ]);
    expect(harness.queries.count).toBe(1);
    expect(harness.queries.statements[0]).not.toContain("not-a-uuid");
  });

  it("loads the favourites of every user in the batch with one SQL query, newest first", async () => {
    const response = await harness.gql(ENTITIES, {
      representations: seededUsers.map(({ id }) => ({ __typename: "User", id })),
    });
    expect(response.errors).toBeUndefined();
    const [graceEntity, linusEntity, barbaraEntity] = (
      response.data as { _entities: { favorites: { id: string }[] }[] }
    )._entities;
    expect(graceEntity?.favorites.map(({ id }) => id)).toEqual([
      seededFavorites[1].productId,
      seededFavorites[2].productId,
      seededFavorites[0].productId,
    ]);
    expect(linusEntity?.favorites).toEqual([{ id: seededFavorites[3].productId }]);
    expect(barbaraEntity?.favorites).toEqual([]);
    expect(harness.queries.statements.filter((sql) => sql.includes('"favorites"'))).toHaveLength(1);
    expect(harness.queries.count).toBe(2);
  });
});

describe("user and email visibility", () => {
  const USER = `query ($id: ID!) { user(id: $id) { id email displayName } }`;

  it("answers null for an unknown user", async () => {
    expect((await harness.gql(USER, { id: "5e0c8b1a-0000-4000-8000-000000000000" })).data).toEqual({ user: null });
  });

  it("shows the e-mail address to the user themself and to users:read, hides it from others, refuses anonymous callers", async () => {
    const email = async (token?: string) =>
      ((await harness.gql(USER, { id: grace.id }, token)).data as { user: { email: string | null } }).user.email;
    const anonymous = await harness.gql(USER, { id: grace.id });
    expect(anonymous.data).toEqual({ user: { id: grace.id, email: null, displayName: grace.displayName } });
    expect(errorCodes(anonymous.errors)).toEqual(["UNAUTHENTICATED"]);
    expect(await email(await tokenFor(linus))).toBeNull();
    expect(await email(await tokenFor(grace))).toBe(grace.email);
    expect(await email(await tokenFor(barbara))).toBe(grace.email);
  });
});

describe("favourites", () => {
  const productA = "9a8b7c6d-0000-4000-8000-00000000000a";
  const productB = "9a8b7c6d-0000-4000-8000-00000000000b";

  it("adds and removes favourites, returning the user with fresh favourites", async () => {
    const token = await tokenFor(barbara);
    const added = await harness.gql(ADD, { productId: productA }, token);
    expect(added.errors).toBeUndefined();
    expect(added.data).toEqual({ addFavorite: { user: { id: barbara.id, favorites: [{ id: productA }] } } });

    await harness.gql(ADD, { productId: productB }, token);
    // Saving again is a no-op.
    const again = await harness.gql(ADD, { productId: productA.toUpperCase() }, token);
    expect(again.errors).toBeUndefined();
    const me = await harness.gql("{ me { favorites { id } } }", {}, token);
    expect(new Set((me.data as { me: { favorites: { id: string }[] } }).me.favorites.map(({ id }) => id))).toEqual(
      new Set([productA, productB]),
    );
    expect(await harness.deps.db.favorite.count({ where: { userId: barbara.id } })).toBe(2);

    const removed = await harness.gql(REMOVE, { productId: productA }, token);
    expect(removed.data).toEqual({ removeFavorite: { user: { id: barbara.id, favorites: [{ id: productB }] } } });
    const removedAgain = await harness.gql(REMOVE, { productId: productA }, token);
    expect(removedAgain.data).toEqual({ removeFavorite: { user: { id: barbara.id, favorites: [{ id: productB }] } } });
  });

  it("lists me's favourites newest first", async () => {
    const me = await harness.gql("{ me { favorites { id } } }", {}, await tokenFor(grace));
    expect(me.data).toEqual({
      me: {
        favorites: [seededFavorites[1], seededFavorites[2], seededFavorites[0]].map(({ productId }) => ({
          id: productId,
        })),
      },
    });
  });

  it("requires a signed-in user whose account exists", async () => {
    expect(errorCodes((await harness.gql(ADD, { productId: productA })).errors)).toEqual(["UNAUTHENTICATED"]);
    const ghost = await createTokenSigner({ secret: harness.deps.config.jwtSecret, ttlSeconds: 60 }).sign(
      "5e0c8b1a-0000-4000-8000-000000000000",
      ["favorites"],
    );
    expect(errorCodes((await harness.gql(ADD, { productId: productA }, ghost)).errors)).toEqual(["UNAUTHENTICATED"]);
    expect(await harness.deps.db.favorite.count({ where: { productId: productA } })).toBe(0);
  });

  it("refuses a product id that is not a UUID", async () => {
    const response = await harness.gql(ADD, { productId: "latte" }, await tokenFor(grace));
    expect(defined(response.errors?.[0]).extensions).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.productId",
      reason: "INVALID_ID",
    });
  });
});
