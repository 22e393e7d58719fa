import type { RedisClient } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import type { Worker } from "@commerce/subgraph";
import { ORDER_EVENTS_STREAM, orderEventFields } from "@commerce/events";

export interface OutboxRelayOptions {
  db: Db;
  redis: RedisClient;
  logger: Logger;
  /** Stream the events are appended to. @default "orders:events" */
  stream?: string;
  /** Events per transaction. @default 100 */
  batchSize?: number;
  /** Pause between polls when the outbox is empty. @default 500 */
  intervalMs?: number;
  /** Approximate cap on the stream's length (XADD MAXLEN ~). @default 1_000_000 */
  maxStreamLength?: number;
  /** Published events older than this are deleted from the outbox (`OUTBOX_RETENTION_HOURS`). @default 7 days */
  retentionMs?: number;
  /** How often the relay prunes. @default 60_000 */
  pruneIntervalMs?: number;
  /** Rows per DELETE: small statements keep locks and WAL bursts short. @default 1000 */
  pruneBatchSize?: number;
}

/** A {@link Worker}: `start()` begins polling and pruning; `stop()` (after requests drained) waits for the flush in progress. */
export interface OutboxRelay extends Worker {
  /** Publishes everything unpublished now; resolves with how many events it published. */
  flush(): Promise<number>;
  /** Asks for a flush soon (after a commit that wrote an event), without waiting for it. */
  nudge(): void;
  /** Deletes the published events older than the retention period, in batches; resolves with how many. */
  prune(): Promise<number>;
  /** Stops polling and pruning, waits for the flush and the prune in progress, then publishes what is left (once). */
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
 *
 * Published rows are kept for `retentionMs` (to inspect or replay recent events), then deleted by the relay every
 * `pruneIntervalMs`, oldest first, `pruneBatchSize` rows per statement (`FOR UPDATE SKIP LOCKED`, so relays on
 * several instances share the work) until none is left. Unpublished rows are never pruned.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const {
    db,
    redis,
    logger,
    stream = ORDER_EVENTS_STREAM,
    batchSize = 100,
    intervalMs = 500,
    maxStreamLength = 1_000_000,
  } = options;
  const { retentionMs = 7 * 24 * 3_600_000, pruneIntervalMs = 60_000, pruneBatchSize = 1000 } = options;
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
          const fields = orderEventFields({
            type: row.type,
            eventId: row.id.toString(),
            aggregateId: row.aggregate_id,
            payload: JSON.stringify(row.payload),
          });
          pipeline.xadd(stream, "MAXLEN", "~", maxStreamLength, "*", ...fields);
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

  async function pruneBatch(): Promise<number> {
    const cutoff = new Date(Date.now() - retentionMs);
    return db.$executeRaw`
      DELETE FROM orders.outbox WHERE id IN (
        SELECT id FROM orders.outbox WHERE published_at < ${cutoff}
        ORDER BY published_at, id LIMIT ${pruneBatchSize} FOR UPDATE SKIP LOCKED)`;
  }

  let pruning: Promise<number> | undefined;
  function prune(): Promise<number> {
    pruning ??= (async () => {
      let total = 0;
      for (;;) {
        const deleted = await pruneBatch();
        total += deleted;
        if (deleted < pruneBatchSize || stopped) return total;
      }
    })().finally(() => {
      pruning = undefined;
    });
    return pruning;
  }
  let pruneTimer: NodeJS.Timeout | undefined;

  return {
    name: "outbox relay",
    // After requests drained: it publishes the events their transactions wrote before Redis closes.
    stopWhen: "afterDrain",
    start() {
      if (stopped || pruneTimer) return;
      pruneTimer = setInterval(() => {
        prune().then(
          (pruned) => {
            if (pruned > 0) logger.info({ pruned, retentionMs }, "published outbox events pruned");
          },
          (error: unknown) => logger.warn({ err: error }, "outbox prune failed; retrying on the next interval"),
        );
      }, pruneIntervalMs);
      pruneTimer.unref();
      schedule(0);
    },
    flush,
    prune,
    nudge() {
      if (stopped) return;
      flush().catch((error: unknown) => logger.warn({ err: error }, "outbox relay failed; retrying on the next poll"));
    },
    async stop() {
      const wasStarted = pruneTimer !== undefined;
      stopped = true;
      clearTimeout(timer);
      clearInterval(pruneTimer);
      await Promise.allSettled([running, queued, pruning]);
      // Events committed since the last flush (a request whose nudge came while a flush ran) go out now, not at the next start.
      if (wasStarted)
        await flush().catch((error: unknown) =>
          logger.warn({ err: error }, "outbox relay: last flush failed; the events wait in the outbox"),
        );
    },
  };
}

/** A relay already started (tests and the in-process graph). */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const relay = createOutboxRelay(options);
  relay.start();
  return relay;
}
