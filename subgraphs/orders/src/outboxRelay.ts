import type { Redis } from "ioredis";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import { ORDER_EVENTS_STREAM } from "./events.js";

export interface OutboxRelayOptions {
  db: Db;
  redis: Redis;
  logger: Logger;
  /** Stream the events are appended to. @default "orders:events" */
  stream?: string;
  /** Events per transaction. @default 100 */
  batchSize?: number;
  /** Pause between polls when the outbox is empty. @default 500 */
  intervalMs?: number;
  /** Approximate cap on the stream's length (XADD MAXLEN ~). @default 1_000_000 */
  maxStreamLength?: number;
}

export interface OutboxRelay {
  /** Publishes everything unpublished now; resolves with how many events it published. */
  flush(): Promise<number>;
  /** Asks for a flush soon (after a commit that wrote an event), without waiting for it. */
  nudge(): void;
  /** Stops polling and waits for the flush in progress. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: bigint;
  type: string;
  aggregate_id: string;
  payload: unknown;
}

/**
 * Relays the transactional outbox to a Redis stream. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED` (several relays never publish the same batch at once), appended
 * with XADD, and marked published in the same transaction. A crash after XADD and before the
 * commit publishes those events again on the next run: delivery is at least once, and
 * consumers deduplicate (loyalty by order id). Nothing committed is ever lost: an event stays
 * in the outbox until Redis has accepted it.
 */
export function startOutboxRelay({ db, redis, logger, stream = ORDER_EVENTS_STREAM, batchSize = 100, intervalMs = 500, maxStreamLength = 1_000_000 }: OutboxRelayOptions): OutboxRelay {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  async function publishBatch(): Promise<number> {
    return db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, type, aggregate_id, payload FROM orders.outbox
          WHERE published_at IS NULL ORDER BY id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const pipeline = redis.pipeline();
        for (const row of rows) {
          pipeline.xadd(stream, "MAXLEN", "~", maxStreamLength, "*", "type", row.type, "eventId", row.id.toString(), "aggregateId", row.aggregate_id, "payload", JSON.stringify(row.payload));
        }
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error);
        if (failed?.[0]) throw failed[0];
        await tx.$executeRaw`UPDATE orders.outbox SET published_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`;
        return rows.length;
      },
      { timeout: 15_000 },
    );
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await publishBatch();
      total += published;
      if (published < batchSize) return total;
    }
  }

  function start(): Promise<number> {
    running = drain().finally(() => {
      running = undefined;
    });
    return running;
  }

  /** Serialised: a flush asked for while one runs starts after it (so it sees rows committed meanwhile); asks coalesce. */
  function flush(): Promise<number> {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => 0)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      flush().then(
        (published) => {
          if (published > 0) logger.debug({ published }, "outbox events published");
          schedule(intervalMs);
        },
        (error: unknown) => {
          // Redis or Postgres is down: the events stay in the outbox; try again later.
          logger.warn({ err: error }, "outbox relay failed; retrying");
          schedule(intervalMs * 4);
        },
      );
    }, delay);
  }

  schedule(0);
  return {
    flush,
    nudge() {
      if (stopped) return;
      flush().catch((error: unknown) => logger.warn({ err: error }, "outbox relay failed; retrying on the next poll"));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([running, queued]);
    },
  };
}
