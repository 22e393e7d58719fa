/** Longest address SMTP can deliver to (RFC 5321 path limit). */
const MAX_EMAIL_LENGTH = 254;
/** A pragmatic shape check: one @, a non-empty local part, a dotted domain, no spaces. Delivery proves the rest. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** The stored form of an e-mail address: trimmed and lower-case, so uniqueness is case-insensitive. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** True when a normalised address has the shape of an e-mail address. */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(email);
}
