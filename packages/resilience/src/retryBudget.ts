export interface RetryBudgetOptions {
  /** Retries allowed as a share of the calls in the window (0.1: one retry per ten calls). @default 0.1 */
  ratio?: number;
  /** Retries always allowed per window, so a quiet target still gets its retries. @default 10 */
  minPerWindow?: number;
  /** The sliding window the shares are counted over. @default 10_000 */
  windowMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

const BUCKETS = 10;

/**
 * A retry budget: retries may not exceed `ratio` of the calls made in the last `windowMs` (plus a small floor).
 * During an outage every call fails and wants a retry; the budget caps the extra load at `ratio` instead of
 * multiplying it by the number of attempts. Written here because cockatiel's retry policy has no budget.
 * Counts live in `BUCKETS` time buckets, so recording is O(1) and the window slides in steps of `windowMs / 10`.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly minPerWindow: number;
  private readonly bucketMs: number;
  private readonly now: () => number;
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  /** The bucket number (time / bucketMs) of the newest bucket. */
  private head = 0;

  constructor({ ratio = 0.1, minPerWindow = 10, windowMs = 10_000, now = Date.now }: RetryBudgetOptions = {}) {
    this.ratio = ratio;
    this.minPerWindow = minPerWindow;
    this.bucketMs = Math.max(1, Math.floor(windowMs / BUCKETS));
    this.now = now;
  }

  /** Counts an original call (not a retry). */
  recordCall(): void {
    this.calls[this.advance()]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent (then do not retry). */
  tryRetry(): boolean {
    const index = this.advance();
    if (sum(this.retries) + 1 > Math.max(this.minPerWindow, this.ratio * sum(this.calls))) return false;
    this.retries[index]! += 1;
    return true;
  }

  /** Calls and retries in the current window. */
  snapshot(): { calls: number; retries: number } {
    this.advance();
    return { calls: sum(this.calls), retries: sum(this.retries) };
  }

  /** Clears buckets that slid out of the window; returns the index of the current one. */
  private advance(): number {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const stale = Math.min(bucket - this.head, BUCKETS);
    for (let i = 1; i <= stale; i += 1) {
      const index = (this.head + i) % BUCKETS;
      this.calls[index] = 0;
      this.retries[index] = 0;
    }
    if (stale > 0) this.head = bucket;
    return this.head % BUCKETS;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
