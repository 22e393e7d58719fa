import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createTokenSigner } from "@commerce/auth";
import { defined, errorCodes, truncateAll, type GraphQLResponse } from "@commerce/testing";
import { hashPassword } from "@commerce/auth";
import { startHarness, type Harness } from "./harness.js";

// No `email`: it needs an access token with the profile scope (as the router demands), which these anonymous calls lack.
const SESSION = "accessToken accessTokenExpiresAt refreshToken user { id displayName roles }";
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ${SESSION} } }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { ${SESSION} } }`;
const REFRESH = `mutation ($token: String!) { refreshAccessToken(input: { refreshToken: $token }) { ${SESSION} } }`;
const LOG_OUT = `mutation ($token: String!) { logOut(input: { refreshToken: $token }) { loggedOut } }`;
const ME = "{ me { id email displayName roles createdAt } }";

interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; displayName: string; roles: string[] };
}

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.stop());
beforeEach(() => truncateAll(inject("databaseUrl")));

function sessionOf(response: GraphQLResponse, field: string): Session {
  expect(response.errors).toBeUndefined();
  return defined((response.data as Record<string, Session> | null | undefined)?.[field], field);
}

async function signUp(email = "Ada@Example.com", password = "analytical-engine-1843", displayName = "Ada Lovelace") {
  return sessionOf(await harness.gql(SIGN_UP, { input: { email, password, displayName } }), "signUp");
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

describe("sign-up, log-in and me", () => {
  it("signs up, logs in and answers me with the access token", async () => {
    const signedUp = await signUp();
    expect(signedUp.user).toMatchObject({ displayName: "Ada Lovelace", roles: ["CUSTOMER"] });
    const expiresIn = Date.parse(signedUp.accessTokenExpiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(890_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);

    const loggedIn = sessionOf(
      await harness.gql(LOG_IN, { input: { email: "  ADA@example.COM ", password: "analytical-engine-1843" } }),
      "logIn",
    );
    expect(loggedIn.user.id).toBe(signedUp.user.id);
    expect(loggedIn.refreshToken).not.toBe(signedUp.refreshToken);

    const me = await harness.gql(ME, {}, loggedIn.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({
      me: {
        id: signedUp.user.id,
        email: "ada@example.com",
        displayName: "Ada Lovelace",
        roles: ["CUSTOMER"],
        createdAt: expect.any(String),
      },
    });
    const anonymous = await harness.gql(ME);
    expect(anonymous.data).toEqual({ me: null });
    expect(errorCodes(anonymous.errors)).toEqual(["UNAUTHENTICATED"]);
  });

  it("stores the password as an scrypt hash with the configured cost, and refresh tokens only as SHA-256", async () => {
    const session = await signUp();
    const user = defined(await harness.deps.db.user.findUnique({ where: { id: session.user.id } }));
    expect(user.passwordHash).toMatch(/^scrypt\$12\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(user.passwordHash).not.toContain("analytical-engine-1843");
    const tokens = await harness.deps.db.refreshToken.findMany({ where: { userId: user.id } });
    expect(tokens.map((t) => t.tokenHash)).toEqual([sha256(session.refreshToken)]);
    expect(Buffer.from(session.refreshToken, "base64url")).toHaveLength(32);
  });

  it("issues scopes from the user's roles", async () => {
    const admin = {
      email: "root@example.com",
      displayName: "Root",
      passwordHash: await hashPassword("admin-password-1", 12),
    };
    await harness.deps.db.user.create({ data: { ...admin, roles: ["ADMIN"] } });
    const session = sessionOf(
      await harness.gql(LOG_IN, { input: { email: admin.email, password: "admin-password-1" } }),
      "logIn",
    );
    const payload = JSON.parse(Buffer.from(defined(session.accessToken.split(".")[1]), "base64url").toString()) as {
      sub: string;
      scope: string;
    };
    expect(payload.sub).toBe(session.user.id);
    expect(new Set(payload.scope.split(" "))).toEqual(
      new Set(["profile", "favorites", "orders:manage", "catalog:write", "users:read"]),
    );
  });
});

describe("sign-up validation", () => {
  it("refuses an e-mail address that is taken, whatever its case", async () => {
    await signUp("grace@example.com");
    const again = await harness.gql(SIGN_UP, {
      input: { email: "GRACE@example.com", password: "cobol-compiler-1959", displayName: "Grace" },
    });
    expect(again.data).toBeNull();
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.email",
      reason: "EMAIL_TAKEN",
    });
  });

  it("lets exactly one of two concurrent sign-ups with one address win", async () => {
    const input = { email: "race@example.com", password: "photo-finish-2026", displayName: "Racer" };
    const results = await Promise.all([harness.gql(SIGN_UP, { input }), harness.gql(SIGN_UP, { input })]);
    expect(results.map((r) => errorCodes(r.errors)).sort()).toEqual([[], ["BAD_USER_INPUT"]]);
    expect(await harness.deps.db.user.count()).toBe(1);
  });

  it.each([
    ["too short", "short1", "TOO_SHORT"],
    ["common", "password123", "COMMON"],
    ["one repeated character", "zzzzzzzzzzzzzz", "REPEATED_CHARACTER"],
    ["too long", "x1".repeat(129), "TOO_LONG"],
  ])("refuses a weak password (%s)", async (_what, password, rule) => {
    const response = await harness.gql(SIGN_UP, {
      input: { email: "weak@example.com", password, displayName: "Weak" },
    });
    expect(response.errors?.[0]?.extensions).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.password",
      reason: "WEAK_PASSWORD",
      rule,
    });
    expect(await harness.deps.db.user.count()).toBe(0);
  });

  it.each(["not-an-email", "a@b", "two@@example.com", "spaced out@example.com", ""])(
    "refuses the e-mail address %j",
    async (email) => {
      const response = await harness.gql(SIGN_UP, {
        input: { email, password: "perfectly-fine-pass", displayName: "X" },
      });
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.email",
        reason: "INVALID_EMAIL",
      });
    },
  );

  it("refuses a blank display name", async () => {
    const response = await harness.gql(SIGN_UP, {
      input: { email: "blank@example.com", password: "perfectly-fine-pass", displayName: "   " },
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.displayName" });
  });
});

describe("log-in failures", () => {
  it("gives a wrong password and an unknown address the same error", async () => {
    await signUp("known@example.com");
    const wrongPassword = await harness.gql(LOG_IN, {
      input: { email: "known@example.com", password: "not-the-password" },
    });
    const unknownEmail = await harness.gql(LOG_IN, {
      input: { email: "unknown@example.com", password: "not-the-password" },
    });
    expect(wrongPassword.errors).toEqual(unknownEmail.errors);
    expect(wrongPassword.status).toBe(unknownEmail.status);
    expect(wrongPassword.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    expect(await harness.deps.db.refreshToken.count()).toBe(1);
  });
});

describe("refresh-token rotation", () => {
  it("rotates, detects reuse, revokes the family, and leaves other sessions alone", async () => {
    const first = await signUp();
    const login = sessionOf(
      await harness.gql(LOG_IN, { input: { email: "ada@example.com", password: "analytical-engine-1843" } }),
      "logIn",
    );

    const rotated = sessionOf(await harness.gql(REFRESH, { token: login.refreshToken }), "refreshAccessToken");
    expect(rotated.refreshToken).not.toBe(login.refreshToken);
    expect(rotated.user.id).toBe(login.user.id);
    expect((await harness.gql(ME, {}, rotated.accessToken)).data).toMatchObject({ me: { id: login.user.id } });

    const reused = await harness.gql(REFRESH, { token: login.refreshToken });
    expect(reused.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_REUSED" });
    const newestOfFamily = await harness.gql(REFRESH, { token: rotated.refreshToken });
    expect(newestOfFamily.errors?.[0]?.extensions).toEqual({
      code: "UNAUTHENTICATED",
      reason: "REFRESH_TOKEN_INVALID",
    });

    const family = await harness.deps.db.refreshToken.findMany({ where: { tokenHash: sha256(login.refreshToken) } });
    const familyTokens = await harness.deps.db.refreshToken.findMany({
      where: { familyId: defined(family[0]).familyId },
    });
    expect(familyTokens).toHaveLength(2);
    expect(familyTokens.every((t) => t.revokedAt !== null)).toBe(true);

    // The sign-up session is another family and still works.
    sessionOf(await harness.gql(REFRESH, { token: first.refreshToken }), "refreshAccessToken");
  });

  it("lets only one of two concurrent exchanges of one token win, and treats the loser as reuse", async () => {
    const session = await signUp();
    const results = await Promise.all([
      harness.gql(REFRESH, { token: session.refreshToken }),
      harness.gql(REFRESH, { token: session.refreshToken }),
    ]);
    const reasons = results.map((r) => r.errors?.[0]?.extensions?.reason ?? "OK").sort();
    expect(reasons).toEqual(["OK", "REFRESH_TOKEN_REUSED"]);
    const live = await harness.deps.db.refreshToken.count({ where: { userId: session.user.id, revokedAt: null } });
    expect(live).toBe(0);
  });

  it("refuses an expired refresh token", async () => {
    const session = await signUp();
    await harness.deps.db.refreshToken.updateMany({
      where: { tokenHash: sha256(session.refreshToken) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const response = await harness.gql(REFRESH, { token: session.refreshToken });
    expect(response.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_EXPIRED" });
  });

  it("refuses an unknown refresh token", async () => {
    const response = await harness.gql(REFRESH, { token: "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtMDEyMzQ1Njc4OQ" });
    expect(response.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_INVALID" });
  });
});

describe("log-out", () => {
  it("revokes the token's whole family, idempotently", async () => {
    const session = await signUp();
    const rotated = sessionOf(await harness.gql(REFRESH, { token: session.refreshToken }), "refreshAccessToken");
    expect((await harness.gql(LOG_OUT, { token: rotated.refreshToken })).data).toEqual({ logOut: { loggedOut: true } });
    const refused = await harness.gql(REFRESH, { token: rotated.refreshToken });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_INVALID" });
    expect((await harness.gql(LOG_OUT, { token: rotated.refreshToken })).data).toEqual({ logOut: { loggedOut: true } });
    expect(await harness.deps.db.refreshToken.count({ where: { revokedAt: null } })).toBe(0);
  });

  it("refuses an unknown refresh token", async () => {
    const response = await harness.gql(LOG_OUT, { token: "unknown" });
    expect(errorCodes(response.errors)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("access tokens", () => {
  it("refuses an expired access token with HTTP 401 UNAUTHENTICATED", async () => {
    const session = await signUp();
    const expired = await createTokenSigner({ secret: harness.deps.config.jwtSecret, ttlSeconds: -60 }).sign(
      session.user.id,
      ["profile"],
    );
    const response = await harness.gql(ME, {}, expired);
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
  });

  it("refuses a forged or malformed access token with HTTP 401 UNAUTHENTICATED", async () => {
    const session = await signUp();
    const forged = await createTokenSigner({ secret: "an-attacker-secret-that-is-long-enough", ttlSeconds: 60 }).sign(
      session.user.id,
      ["users:read"],
    );
    for (const token of [forged, "garbage", `${session.accessToken}x`]) {
      const response = await harness.gql(ME, {}, token);
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
    }
  });
});
