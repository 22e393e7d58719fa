import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenSigner, createTokenVerifier } from "../src/tokens.js";

const SECRET = "a-test-secret-that-is-long-enough-0123";
const ISSUER = "commerce-supergraph";
const AUDIENCE = "commerce-api";

/** The `reason` of the UNAUTHENTICATED error a verification fails with. */
async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { extensions?: { code?: unknown; reason?: unknown } }).extensions?.reason;
  }
  throw new Error("expected the verification to fail");
}

describe("HS256 verification", () => {
  const verify = createTokenVerifier({ secret: SECRET });
  const claims = (jwt: SignJWT) =>
    jwt.setProtectedHeader({ alg: "HS256" }).setSubject("u1").setIssuer(ISSUER).setAudience(AUDIENCE);
  const key = new TextEncoder().encode(SECRET);

  it("accepts a token from the signer and reads its scopes", async () => {
    const token = await createTokenSigner({ secret: SECRET, ttlSeconds: 60 }).sign("u1", ["a", "b"]);
    const viewer = await verify(token);
    expect(viewer).toEqual({ userId: "u1", scopes: new Set(["a", "b"]), expiresAt: expect.any(Number) });
    // The token's exp, in milliseconds (subscriptions close their streams then).
    expect(Math.abs((viewer.expiresAt ?? 0) - (Date.now() + 60_000))).toBeLessThan(2_000);
  });

  it("refuses alg none, a wrong issuer or audience, expired and not-yet-valid tokens", async () => {
    const none = new UnsecuredJWT({ scope: "admin" })
      .setSubject("u1")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("1m")
      .encode();
    expect(await reasonOf(verify(none))).toBe("TOKEN_INVALID");
    expect(
      await reasonOf(verify(await claims(new SignJWT({})).setIssuer("evil").setExpirationTime("1m").sign(key))),
    ).toBe("TOKEN_INVALID");
    expect(
      await reasonOf(verify(await claims(new SignJWT({})).setAudience("other").setExpirationTime("1m").sign(key))),
    ).toBe("TOKEN_INVALID");
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(
      await reasonOf(
        verify(
          await claims(new SignJWT({}))
            .setIssuedAt(past)
            .setExpirationTime(past + 60)
            .sign(key),
        ),
      ),
    ).toBe("TOKEN_EXPIRED");
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(
      await reasonOf(
        verify(
          await claims(new SignJWT({}))
            .setNotBefore(future)
            .setExpirationTime(future + 60)
            .sign(key),
        ),
      ),
    ).toBe("TOKEN_INVALID");
    expect(
      await reasonOf(
        verify(
          await claims(new SignJWT({}))
            .setExpirationTime("1m")
            .sign(new TextEncoder().encode(`${SECRET}-other`)),
        ),
      ),
    ).toBe("TOKEN_INVALID");
  });
});

describe("HS256 verification: each refusal", () => {
  const verify = createTokenVerifier({ secret: SECRET, cacheSize: 0 });
  const inAMinute = () => Math.floor(Date.now() / 1000) + 60;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  /** A token signed over any header and payload (jose refuses to sign some of these). */
  const signed = (header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${createHmac(`sha${String(header.alg).slice(2)}`, secret)
      .update(input)
      .digest("base64url")}`;
  };
  const valid = () => ({ sub: "u1", iss: ISSUER, aud: AUDIENCE, exp: inAMinute(), scope: "a" });

  it("accepts a well-formed token built by hand (the baseline of the refusals below)", async () => {
    const claims = valid();
    expect(await verify(signed({ alg: "HS256", typ: "JWT" }, claims))).toEqual({
      userId: "u1",
      scopes: new Set(["a"]),
      expiresAt: claims.exp * 1000,
    });
  });

  it("refuses an algorithm outside the allow-list: another HMAC, an asymmetric one, none", async () => {
    expect(await reasonOf(verify(signed({ alg: "HS512" }, valid())))).toBe("TOKEN_INVALID");
    const rs256 = signed({ alg: "HS256" }, valid()).split(".");
    expect(await reasonOf(verify([b64({ alg: "RS256" }), rs256[1], rs256[2]].join(".")))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(`${b64({ alg: "none" })}.${b64(valid())}.`))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(`${b64({ alg: "HS256" })}.${b64(valid())}.`))).toBe("TOKEN_INVALID");
    const hs512 = createTokenVerifier({ secret: SECRET, algorithms: ["HS512"], cacheSize: 0 });
    expect((await hs512(signed({ alg: "HS512" }, valid()))).userId).toBe("u1");
    expect(await reasonOf(hs512(signed({ alg: "HS256" }, valid())))).toBe("TOKEN_INVALID");
  });

  it("refuses a signature that does not match: another secret, a changed payload, a truncated or empty one", async () => {
    expect(await reasonOf(verify(signed({ alg: "HS256" }, valid(), `${SECRET}-other`)))).toBe("TOKEN_INVALID");
    const [header, , signature] = signed({ alg: "HS256" }, valid()).split(".");
    expect(await reasonOf(verify([header, b64({ ...valid(), sub: "admin" }), signature].join(".")))).toBe(
      "TOKEN_INVALID",
    );
    expect(await reasonOf(verify(signed({ alg: "HS256" }, valid()).slice(0, -6)))).toBe("TOKEN_INVALID");
  });

  it("refuses malformed tokens", async () => {
    for (const token of [
      "",
      "abc",
      "a.b",
      "a.b.c.d",
      `${b64({ alg: "HS256" })}.not-json.${"A".repeat(43)}`,
      `${b64({ alg: "HS256" })}.${b64("a string")}.x`,
    ]) {
      expect(await reasonOf(verify(token))).toBe("TOKEN_INVALID");
    }
  });

  it("refuses a missing or non-string sub, a missing exp, and claims of the wrong type", async () => {
    const { sub: _sub, ...noSub } = valid();
    const { exp: _exp, ...noExp } = valid();
    expect(await reasonOf(verify(signed({ alg: "HS256" }, noSub)))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, { ...valid(), sub: 42 })))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, noExp)))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, { ...valid(), exp: "tomorrow" })))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, { ...valid(), nbf: "now" })))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, { ...valid(), iat: "today" })))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(signed({ alg: "HS256" }, { ...valid(), iss: ["evil", ISSUER] })))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("refuses a critical header extension it does not understand", async () => {
    expect(await reasonOf(verify(signed({ alg: "HS256", crit: ["exp-ext"], "exp-ext": 1 }, valid())))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("applies the clock tolerance to exp and nbf (5 s by default), on the verifier's clock", async () => {
    const clock = 1_900_000_000_000;
    const at = (offset: number) => createTokenVerifier({ secret: SECRET, cacheSize: 0, now: () => clock + offset });
    const token = signed({ alg: "HS256" }, { ...valid(), nbf: clock / 1000, exp: clock / 1000 + 60 });
    expect((await at(0)(token)).userId).toBe("u1");
    expect((await at(-4_000)(token)).userId).toBe("u1");
    expect(await reasonOf(at(-6_000)(token))).toBe("TOKEN_INVALID");
    expect((await at(64_000)(token)).userId).toBe("u1");
    expect(await reasonOf(at(65_000)(token))).toBe("TOKEN_EXPIRED");
  });

  it("verifies only HMAC algorithms with a secret: anything else is a configuration error", () => {
    expect(() => createTokenVerifier({ secret: SECRET, algorithms: ["RS256"] })).toThrow(/RS256 need a jwksUrl/);
  });
});

describe("verified-token cache", () => {
  const key = new TextEncoder().encode(SECRET);
  const token = (sub: string, expiresAt: number) =>
    new SignJWT({ scope: "a" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(expiresAt)
      .sign(key);

  it("answers a token seen before from the cache, not from a new verification", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const jwt = await token("u1", Math.floor(Date.now() / 1000) + 60);
    const first = await verify(jwt);
    expect(await verify(jwt)).toBe(first);
    expect(first).toEqual({ userId: "u1", scopes: new Set(["a"]), expiresAt: expect.any(Number) });
    expect(Object.isFrozen(first)).toBe(true);
    const uncached = createTokenVerifier({ secret: SECRET, cacheSize: 0 });
    expect(await uncached(jwt)).not.toBe(await uncached(jwt));
  });

  it("never serves a token past its exp", async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({ secret: SECRET, now: () => clock });
    const expiresAt = Math.floor(clock / 1000) + 2;
    const jwt = await token("u1", expiresAt);
    const cached = await verify(jwt);
    expect(await verify(jwt)).toBe(cached);
    // Just past exp: within the 5 s clock tolerance a verification still accepts it, but the cache no longer answers.
    clock = expiresAt * 1000 + 1;
    const reverified = await verify(jwt);
    expect(reverified).not.toBe(cached);
    expect(reverified).toEqual(cached);
    clock = expiresAt * 1000 + 6_000;
    expect(await reasonOf(verify(jwt))).toBe("TOKEN_EXPIRED");
  });

  it("keeps only verified tokens, at most cacheSize of them", async () => {
    const verify = createTokenVerifier({ secret: SECRET, cacheSize: 2 });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const forged = `${(await token("u1", exp)).slice(0, -4)}AAAA`;
    expect(await reasonOf(verify(forged))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(forged))).toBe("TOKEN_INVALID");
    const [a, b, c] = await Promise.all([token("a", exp), token("b", exp), token("c", exp)]);
    const first = await verify(a);
    await verify(b);
    await verify(c); // evicts a, the least recently used
    expect(await verify(c)).toBe(await verify(c));
    expect(await verify(a)).not.toBe(first);
  });
});

describe("JWKS verification (RS256 / ES256) with key rotation", () => {
  let server: Server;
  let url: string;
  let keys: JWK[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function issuer(alg: "RS256" | "ES256", kid: string) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    const sign = (sub: string) =>
      new SignJWT({ scope: "profile" })
        .setProtectedHeader({ alg, kid })
        .setSubject(sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime("5m")
        .sign(privateKey);
    return { jwk, sign };
  }

  it("caches the key set, refetches on an unknown kid (rotation), and refuses kids it still cannot find", async () => {
    const first = await issuer("RS256", "key-1");
    keys = [first.jwk];
    fetches = 0;
    const verify = createTokenVerifier({ jwksUrl: url, jwksCooldownMs: 0 });
    expect((await verify(await first.sign("u1"))).userId).toBe("u1");
    expect((await verify(await first.sign("u2"))).userId).toBe("u2");
    expect(fetches).toBe(1);

    // The issuer rotates to an ES256 key: a token with the new kid makes the verifier refetch.
    const second = await issuer("ES256", "key-2");
    keys = [first.jwk, second.jwk];
    expect((await verify(await second.sign("u3"))).userId).toBe("u3");
    expect(fetches).toBe(2);

    const stranger = await issuer("RS256", "key-unknown");
    expect(await reasonOf(verify(await stranger.sign("u4")))).toBe("TOKEN_INVALID");
  });

  it("rate-limits refetches: unknown kids inside the cooldown do not hit the JWKS endpoint again", async () => {
    const known = await issuer("RS256", "known");
    keys = [known.jwk];
    fetches = 0;
    const verify = createTokenVerifier({ jwksUrl: url, jwksCooldownMs: 60_000 });
    await verify(await known.sign("u1"));
    const stranger = await issuer("RS256", "stranger");
    for (let i = 0; i < 5; i += 1) expect(await reasonOf(verify(await stranger.sign("u1")))).toBe("TOKEN_INVALID");
    expect(fetches).toBe(1);
  });

  it("refuses an HS256 token signed with the public key (algorithm confusion)", async () => {
    const rsa = await issuer("RS256", "rsa");
    keys = [rsa.jwk];
    const verify = createTokenVerifier({ jwksUrl: url });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "rsa" })
      .setSubject("u1")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("1m")
      .sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    expect(await reasonOf(verify(forged))).toBe("TOKEN_INVALID");
  });
});
