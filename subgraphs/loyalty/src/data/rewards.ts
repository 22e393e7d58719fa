import type { Db, Reward } from "@commerce/db";

/** The rewards with these ids (missing ids are absent), keyed by id. */
export async function findRewardsByIds(db: Db, ids: readonly string[]): Promise<Map<string, Reward>> {
  if (ids.length === 0) return new Map();
  const rows = await db.reward.findMany({ where: { id: { in: [...ids] } } });
  return new Map(rows.map((row) => [row.id, row]));
}

/** Rewards that can be redeemed now, cheapest first. */
export function listActiveRewards(db: Db): Promise<Reward[]> {
  return db.reward.findMany({ where: { active: true }, orderBy: [{ cost: "asc" }, { name: "asc" }] });
}
