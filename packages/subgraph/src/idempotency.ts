import { badUserInput } from "@commerce/common";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A mutation's idempotency key (placeOrder, redeemReward): 1 to 128 characters of letters, digits, `-`, `_`, `.`
 * and `:`, chosen by the client, new for each operation it means and reused when it retries that one.
 * BAD_USER_INPUT on `field` otherwise.
 */
export function parseIdempotencyKey(key: string, field: string): string {
  if (!IDEMPOTENCY_KEY.test(key))
    throw badUserInput("idempotencyKey must be 1 to 128 characters of letters, digits, '-', '_', '.' and ':'.", field);
  return key;
}
