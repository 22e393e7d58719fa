import { findKeyed, type Db, type Reward } from "@commerce/db";

/** The rewards with these ids (missing ids are absent), keyed by id. */
export function findRewardsByIds(db: Db, ids: readonly string[]): Promise<Map<string, Reward>> {
  return findKeyed(
    ids,
    (batch) => db.reward.findMany({ where: { id: { in: batch } } }),
    (row) => row.id,
  );
}

/** Rewards that can be redeemed now, cheapest first. */
export function listActiveRewards(db: Db): Promise<Reward[]> {
  return db.reward.findMany({ where: { active: true }, orderBy: [{ cost: "asc" }, { name: "asc" }] });
}
