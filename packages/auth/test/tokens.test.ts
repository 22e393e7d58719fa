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
  const claims = (jwt: SignJWT) => jwt.setProtectedHeader({ alg: "HS256" }).setSubject("u1").setIssuer(ISSUER).setAudience(AUDIENCE);
  const key = new TextEncoder().encode(SECRET);

  it("accepts a token from the signer and reads its scopes", async () => {
    const token = await createTokenSigner({ secret: SECRET, ttlSeconds: 60 }).sign("u1", ["a", "b"]);
    expect(await verify(token)).toEqual({ userId: "u1", scopes: new Set(["a", "b"]) });
  });

  it("refuses alg none, a wrong issuer or audience, expired and not-yet-valid tokens", async () => {
    const none = new UnsecuredJWT({ scope: "admin" }).setSubject("u1").setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("1m").encode();
    expect(await reasonOf(verify(none))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(await claims(new SignJWT({})).setIssuer("evil").setExpirationTime("1m").sign(key)))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(await claims(new SignJWT({})).setAudience("other").setExpirationTime("1m").sign(key)))).toBe("TOKEN_INVALID");
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(await reasonOf(verify(await claims(new SignJWT({})).setIssuedAt(past).setExpirationTime(past + 60).sign(key)))).toBe("TOKEN_EXPIRED");
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(await reasonOf(verify(await claims(new SignJWT({})).setNotBefore(future).setExpirationTime(future + 60).sign(key)))).toBe("TOKEN_INVALID");
    expect(await reasonOf(verify(await claims(new SignJWT({})).setExpirationTime("1m").sign(new TextEncoder().encode(`${SECRET}-other`))))).toBe("TOKEN_INVALID");
  });
});

describe("verified-token cache", () => {
  const key = new TextEncoder().encode(SECRET);
  const token = (sub: string, expiresAt: number) =>
    new SignJWT({ scope: "a" }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(expiresAt).sign(key);

  it("answers a token seen before from the cache, not from a new verification", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const jwt = await token("u1", Math.floor(Date.now() / 1000) + 60);
    const first = await verify(jwt);
    expect(await verify(jwt)).toBe(first);
    expect(first).toEqual({ userId: "u1", scopes: new Set(["a"]) });
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
      new SignJWT({ scope: "profile" }).setProtectedHeader({ alg, kid }).setSubject(sub).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("5m").sign(privateKey);
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
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "rsa" }).setSubject("u1").setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("1m").sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    expect(await reasonOf(verify(forged))).toBe("TOKEN_INVALID");
  });
});
