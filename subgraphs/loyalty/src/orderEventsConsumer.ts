import { setTimeout as sleep } from "node:timers/promises";
import { redisReady, type RedisClient } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db } from "@commerce/db";
import type { Worker } from "@commerce/subgraph";
import { creditOrder } from "./data/ledger.js";
import { MalformedEventError, ORDER_COMPLETED, ORDER_EVENTS_STREAM, readOrderEventFields } from "@commerce/events";
import { CONSUMER_GROUP, DEAD_LETTER_STREAM, creditFromOrderCompleted } from "./orderEvents.js";

export interface OrderEventsConsumerOptions {
  db: Db;
  /** A dedicated connection: blocking reads hold it. */
  redis: RedisClient;
  logger: Logger;
  /** This instance's name in the group; unique per running instance. */
  consumer: string;
  /** @default "orders:events" */
  stream?: string;
  /** @default "loyalty" */
  group?: string;
  /** On a Redis Cluster it must hash to the stream's slot (a hash tag: `…:{<stream>}`). @default "loyalty:dead-letter:{orders:events}" */
  deadLetterStream?: string;
  /** Deliveries before a failing event is dead-lettered. @default 5 */
  maxAttempts?: number;
  /** Idle time after which an unacknowledged event (a crashed or failing consumer's) is claimed again. @default 30000 */
  claimIdleMs?: number;
  /** How long one read waits for new events; also bounds how long stop() takes. @default 2000 */
  blockMs?: number;
  /** Events per read. @default 50 */
  batchSize?: number;
}

/** A {@link Worker}: `start()` begins reading; `stop()` (before requests drain) finishes the event in hand. */
export interface OrderEventsConsumer extends Worker {
  /** Finishes the event in hand and stops reading (unacknowledged events stay pending for the next start or another consumer). */
  stop(): Promise<void>;
}

type Entry = [id: string, fields: string[]];

/**
 * Consumes `order.completed` from the orders stream in a consumer group and credits points.
 * - At least once in, exactly once out: an event is acknowledged (XACK) only after its credit
 *   committed, and the ledger's unique source_order_id turns redeliveries into no-ops.
 * - Events left unacknowledged (a consumer crashed between read and ack, or handling failed)
 *   are claimed again with XAUTOCLAIM after `claimIdleMs`, by any consumer of the group.
 * - An event that failed `maxAttempts` deliveries, or can never succeed (malformed), moves to
 *   the dead-letter stream with the error, in one MULTI with its XACK.
 * The group starts at the beginning of the stream, so events published while loyalty was
 * down (or before it ever ran) are credited when it starts; a lost group is recreated.
 * Redis or Postgres failing (down, restarted, timing out) never stops the consumer: it backs
 * off, then resumes with its own pending events, so no credit is lost or repeated.
 */
export function createOrderEventsConsumer(options: OrderEventsConsumerOptions): OrderEventsConsumer {
  const {
    db,
    redis,
    logger,
    consumer,
    stream = ORDER_EVENTS_STREAM,
    group = CONSUMER_GROUP,
    deadLetterStream = DEAD_LETTER_STREAM,
  } = options;
  const { maxAttempts = 5, claimIdleMs = 30_000, blockMs = 2000, batchSize = 50 } = options;
  /** Creates the group at the start of the stream (and the stream) unless it exists. */
  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
  }

  async function deadLetter(id: string, fields: readonly string[], reason: string, attempts: number): Promise<void> {
    await redis
      .multi()
      .xadd(
        deadLetterStream,
        "*",
        ...fields,
        "originalId",
        id,
        "stream",
        stream,
        "error",
        reason,
        "attempts",
        String(attempts),
        "deadAt",
        new Date().toISOString(),
      )
      .xack(stream, group, id)
      .exec();
    logger.error({ eventId: id, attempts, reason }, "order event moved to the dead-letter stream");
  }

  async function handle(id: string, fields: string[], deliveries: number): Promise<void> {
    const event = readOrderEventFields(fields);
    try {
      if (event.type === ORDER_COMPLETED) {
        const credit = creditFromOrderCompleted(event.payload);
        if (credit.points > 0) {
          const credited = await creditOrder(db, credit);
          logger.debug(
            { eventId: id, orderId: credit.orderId, credited },
            credited ? "points credited" : "order already credited",
          );
        }
      }
      // Other event types are not loyalty's business: acknowledged and skipped.
      await redis.xack(stream, group, id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof MalformedEventError || deliveries >= maxAttempts)
        return deadLetter(id, fields, reason, deliveries);
      // Left pending: read again after a failure of the loop, or claimed after claimIdleMs.
      logger.warn({ eventId: id, deliveries, err: error }, "order event failed; it will be retried");
    }
  }

  /** Handles events delivered again (from a pending list), each with its delivery count. */
  async function handlePending(entries: readonly (Entry | null)[]): Promise<void> {
    const live = entries.filter((entry): entry is Entry => entry !== null && entry[1] !== null);
    if (live.length === 0) return;
    const pending = (await redis.xpending(
      stream,
      group,
      (live[0] as Entry)[0],
      (live.at(-1) as Entry)[0],
      live.length,
      consumer,
    )) as [string, string, number, number][];
    const deliveries = new Map(pending.map(([id, , , count]) => [id, count]));
    for (const [id, fields] of live) await handle(id, fields, deliveries.get(id) ?? maxAttempts);
  }

  /**
   * This consumer's own unacknowledged events (its pending list, read from id 0): after a start or a failure
   * (Redis restarted, an XACK lost with the connection) they are handled again at once instead of waiting
   * claimIdleMs for XAUTOCLAIM. A credit that had committed is not repeated (the ledger's unique order id).
   */
  async function readOwnPending(): Promise<void> {
    for (let after = "0"; ;) {
      const entries = await readGroup(after);
      if (entries.length === 0) return;
      await handlePending(entries);
      after = (entries.at(-1) as Entry)[0];
    }
  }

  /** Events idle in the group's pending list (any consumer's), with their delivery counts. */
  let claimCursor = "0-0";
  async function claimStuck(): Promise<void> {
    const [next, entries] = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      claimIdleMs,
      claimCursor,
      "COUNT",
      batchSize,
    )) as [string, (Entry | null)[]];
    claimCursor = next;
    await handlePending(entries);
  }

  /**
   * One XREADGROUP of up to batchSize entries of the stream for this consumer: after `after` in its own pending list,
   * or (`">"`) new ones, waiting up to `block` ms for them. A pending entry deleted from the stream comes back as null.
   */
  async function readGroup(after: string, block?: number): Promise<(Entry | null)[]> {
    const read =
      block === undefined
        ? redis.xreadgroup("GROUP", group, consumer, "COUNT", batchSize, "STREAMS", stream, after)
        : redis.xreadgroup("GROUP", group, consumer, "COUNT", batchSize, "BLOCK", block, "STREAMS", stream, after);
    const result = (await read) as [string, (Entry | null)[]][] | null;
    return result?.[0]?.[1] ?? [];
  }

  async function readNew(): Promise<void> {
    for (const entry of await readGroup(">", blockMs)) if (entry) await handle(entry[0], entry[1], 1);
  }

  const stopping = new AbortController();
  const run = async (): Promise<void> => {
    let failures = 0;
    // After a start or a failure: make sure the group exists (a Redis restart without persistence, a flush), then
    // finish this consumer's own pending events before reading new ones.
    let recovering = true;
    while (!stopping.signal.aborted) {
      // Not connected (start-up, Redis down): wait for the client's own reconnect, a second at a time, rather than fail.
      if (redis.status !== "ready") {
        await redisReady(redis, 1000).catch(() => undefined);
        continue;
      }
      try {
        if (recovering) {
          await ensureGroup();
          await readOwnPending();
          recovering = false;
        }
        await claimStuck();
        if (stopping.signal.aborted) break;
        await readNew();
        failures = 0;
      } catch (error) {
        failures += 1;
        recovering = true;
        logger.warn(
          { err: error, failures },
          "order events consumer failed (Redis or Postgres unavailable?); retrying",
        );
        // Back-off with jitter, cut short by stop().
        const delay = Math.min(5000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  };

  let loop: Promise<void> | undefined;
  return {
    name: "order events consumer",
    // Before requests drain: no new event is taken while they finish.
    stopWhen: "beforeDrain",
    start() {
      if (loop || stopping.signal.aborted) return;
      logger.info({ consumer, stream, group }, "consuming order events");
      loop = run();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}

/** A consumer already started (tests and the in-process graph). */
export async function startOrderEventsConsumer(options: OrderEventsConsumerOptions): Promise<OrderEventsConsumer> {
  const consumer = createOrderEventsConsumer(options);
  consumer.start();
  return consumer;
}
