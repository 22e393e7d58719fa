/** Why a password was refused (the `rule` detail of a WEAK_PASSWORD error). */
export type WeakPasswordRule = "TOO_SHORT" | "TOO_LONG" | "COMMON" | "REPEATED_CHARACTER";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Frequently breached passwords long enough to pass the length rule; compared case-insensitively. */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "1234567890",
  "0123456789",
  "0987654321",
  "12345678910",
  "123456789a",
  "a123456789",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qwertyuiop",
  "qwerty1234",
  "qwerty12345",
  "qwerty123456",
  "asdfghjkl1",
  "zxcvbnm123",
  "password12",
  "password123",
  "password1234",
  "passw0rd123",
  "p@ssw0rd123",
  "iloveyou12",
  "iloveyou123",
  "letmein123",
  "welcome123",
  "changeme123",
  "administrator",
  "football123",
  "baseball123",
  "sunshine123",
  "princess123",
  "monkey12345",
  "dragon12345",
  "trustno1234",
  "abcdefghij",
  "abcd123456",
  "abc1234567",
]);

/** Length in characters as people count them (code points, after NFKC), not UTF-16 units. */
function characterCount(password: string): number {
  return Array.from(password.normalize("NFKC")).length;
}

/**
 * The first rule a new password breaks, or null when it is acceptable: at least
 * 10 and at most 256 characters, not a common password, not one character repeated.
 */
export function weakPasswordRule(password: string): WeakPasswordRule | null {
  const length = characterCount(password);
  if (length < MIN_PASSWORD_LENGTH) return "TOO_SHORT";
  if (length > MAX_PASSWORD_LENGTH) return "TOO_LONG";
  const characters = Array.from(password.normalize("NFKC"));
  if (characters.every((c) => c === characters[0])) return "REPEATED_CHARACTER";
  if (COMMON_PASSWORDS.has(password.normalize("NFKC").toLowerCase())) return "COMMON";
  return null;
}
