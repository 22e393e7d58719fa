import { badUserInput } from "@commerce/common";

export const MAX_BODY_LENGTH = 2000;

/** A rating from 1 to 5; BAD_USER_INPUT on `field` otherwise. */
export function parseRating(rating: number, field: string): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw badUserInput("rating must be a whole number from 1 to 5.", field, { min: 1, max: 5 });
  return rating;
}

/** The trimmed body, at most MAX_BODY_LENGTH characters; BAD_USER_INPUT on `field` otherwise. */
export function parseBody(body: string, field: string): string {
  const trimmed = body.trim();
  if ([...trimmed].length > MAX_BODY_LENGTH)
    throw badUserInput(`body must be at most ${MAX_BODY_LENGTH} characters.`, field, { max: MAX_BODY_LENGTH });
  return trimmed;
}
