import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** Block size and parallelism: the values scrypt's authors recommend for interactive log-ins. */
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Accepted range of log2 N, for new hashes and stored ones (a corrupt row must not cost minutes of CPU). */
export const MIN_PASSWORD_HASH_COST = 10;
export const MAX_PASSWORD_HASH_COST = 20;

function derive(password: string, salt: Buffer, cost: number, blockSize: number, parallelism: number): Promise<Buffer> {
  const N = 2 ** cost;
  const options: ScryptOptions = {
    N,
    r: blockSize,
    p: parallelism,
    // Node's default limit (32 MiB) is exactly 128·N·r at cost 15, which OpenSSL rejects.
    maxmem: 256 * N * blockSize * parallelism,
  };
  return new Promise((resolve, reject) => {
    // NFKC so the same password typed on different keyboards hashes the same.
    scrypt(password.normalize("NFKC"), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password with scrypt and a random salt. The result carries its
 * parameters (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64url), so the cost can
 * be raised later without invalidating existing hashes.
 */
export async function hashPassword(password: string, cost: number): Promise<string> {
  if (!Number.isInteger(cost) || cost < MIN_PASSWORD_HASH_COST || cost > MAX_PASSWORD_HASH_COST) {
    throw new RangeError(
      `password hash cost must be an integer from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST}, got ${cost}`,
    );
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost, BLOCK_SIZE, PARALLELISM);
  return ["scrypt", cost, BLOCK_SIZE, PARALLELISM, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface ParsedHash {
  cost: number;
  blockSize: number;
  parallelism: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [cost, blockSize, parallelism] = parts.slice(1, 4).map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const key = Buffer.from(parts[5] ?? "", "base64url");
  if (cost === undefined || blockSize === undefined || parallelism === undefined) return null;
  if (!(cost >= MIN_PASSWORD_HASH_COST && cost <= MAX_PASSWORD_HASH_COST)) return null;
  if (!(blockSize >= 1 && blockSize <= 32) || !(parallelism >= 1 && parallelism <= 16)) return null;
  if (salt.length < 8 || key.length < 16) return null;
  return { cost, blockSize, parallelism, salt, key };
}

/**
 * True when `password` matches a hash from hashPassword, using the parameters
 * stored in the hash. Compares in constant time; a malformed hash never matches.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.cost, parsed.blockSize, parsed.parallelism);
  return candidate.length === parsed.key.length && timingSafeEqual(candidate, parsed.key);
}
