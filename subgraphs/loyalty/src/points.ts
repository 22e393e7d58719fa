/** The earning rule: one point per whole unit of the order total (1250 cents → 12 points). */
export function pointsForAmount(amountMinor: number): number {
  return Math.max(0, Math.floor(amountMinor / 100));
}

export type Tier = "BRONZE" | "SILVER" | "GOLD" | "PLATINUM";

/** Tiers by the lifetime points they start at, highest first. */
export const TIERS: readonly { tier: Tier; from: number }[] = [
  { tier: "PLATINUM", from: 4000 },
  { tier: "GOLD", from: 1500 },
  { tier: "SILVER", from: 500 },
  { tier: "BRONZE", from: 0 },
];

export function tierFor(lifetimePoints: number): Tier {
  return (TIERS.find(({ from }) => lifetimePoints >= from) ?? { tier: "BRONZE" }).tier;
}

/** Lifetime points still needed for the next tier, or null at the top tier. */
export function pointsToNextTier(lifetimePoints: number): number | null {
  const next = [...TIERS].reverse().find(({ from }) => from > lifetimePoints);
  return next ? next.from - lifetimePoints : null;
}
