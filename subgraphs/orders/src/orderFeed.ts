import { setTimeout as sleep } from "node:timers/promises";
import { redisReady, type RedisClient } from "@commerce/cache";
import type { Logger } from "@commerce/common";
import type { Db, Order, OrderStatus } from "@commerce/db";
import { eventQueue, type EventQueue, type ResumableEvent, type ResumePoint, type Worker } from "@commerce/subgraph";
import type { BatchInstrumentation } from "@commerce/telemetry";
import { ORDER_EVENTS_STREAM, readOrderEventFields } from "@commerce/events";
import { ORDER_STATUS_CHANGED, type OrderStatusChangedV1 } from "./events.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** One order change as subscriptions receive it. */
export interface OrderFeedEvent extends ResumableEvent {
  /** The stream entry's id: where a subscription resumes after it. */
  resumeCursor: string;
  change: OrderStatusChangedV1;
  /** The order as of this change (its row, with the change's status and time). */
  order: Order;
  /** Loaders shared by every subscription that gets this event: one read per event for all of them. */
  context: { loaders: Loaders };
}

export interface OrderFeedOptions {
  /** Its own connection: the feed blocks in XREAD. */
  redis: RedisClient;
  db: Db;
  logger: Logger;
  /** @default "orders:events" */
  stream?: string;
  /** How long one read waits for new events; also bounds how long stop() takes. @default 1000 */
  blockMs?: number;
  /** Entries per read. @default 100 */
  batchSize?: number;
  /** Most events replayed to a subscription that resumes. @default 1000 */
  maxReplay?: number;
  /** Events waiting for one subscription (the router reads them) before it is ended. @default 1000 */
  maxQueued?: number;
  batches?: BatchInstrumentation;
}

/** The feed of order changes this instance's subscriptions read, run by the kit as a worker. */
export interface OrderFeed extends Worker {
  /**
   * The changes `accept` takes, from now on, or from `resume` (after a cursor, or since a moment) when the router
   * resubscribes after losing its connection: those missed are replayed first, in order.
   */
  subscribe(accept: (event: OrderFeedEvent) => boolean, resume?: ResumePoint): EventQueue<OrderFeedEvent>;
  /** Subscriptions listening now. */
  readonly subscriptions: number;
}

type Entry = [id: string, fields: string[]];

interface Subscriber {
  accept: (event: OrderFeedEvent) => boolean;
  queue: EventQueue<OrderFeedEvent>;
  /** While a resumed subscription's missed events are read: live ones wait here, to keep the order. */
  held?: OrderFeedEvent[];
  /** The last entry a resumed subscription replayed: a live delivery of it (or of an earlier one) is not sent again. */
  replayedUpTo?: string;
}

/**
 * Every instance reads the whole orders stream (the outbox relay's `orders:events`, XREAD without a group: each
 * instance sees each event) and hands each `order.status_changed` to its own subscriptions, so any number of orders
 * and router instances serve subscriptions, whichever instance committed the change. The order rows are read once
 * per event for all subscriptions. A Redis outage pauses the feed; it goes on from the last entry it read, so
 * nothing published meanwhile is skipped.
 */
export function createOrderFeed(options: OrderFeedOptions): OrderFeed {
  const {
    redis,
    db,
    logger,
    stream = ORDER_EVENTS_STREAM,
    blockMs = 1000,
    batchSize = 100,
    maxReplay = 1000,
    maxQueued = 1000,
    batches,
  } = options;
  const subscribers = new Set<Subscriber>();
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  /** The order changes among stream entries, each with its order row (one read for the batch). */
  async function eventsOf(entries: readonly Entry[]): Promise<OrderFeedEvent[]> {
    const changes: { id: string; change: OrderStatusChangedV1 }[] = [];
    for (const [id, fields] of entries) {
      const record = readOrderEventFields(fields);
      if (record.type !== ORDER_STATUS_CHANGED) continue;
      const change = changeOf(record.payload);
      if (change) changes.push({ id, change });
      else logger.warn({ eventId: id }, "malformed order.status_changed event skipped");
    }
    if (changes.length === 0) return [];
    const loaders = createLoaders(db, batches);
    const orders = await Promise.all(changes.map(({ change }) => loaders.orderById.load(change.orderId)));
    return changes.flatMap(({ id, change }, i) => {
      const order = orders[i];
      return order
        ? [
            {
              resumeCursor: id,
              change,
              order: { ...order, status: change.to, updatedAt: new Date(change.changedAt) },
              context: { loaders },
            },
          ]
        : [];
    });
  }

  function deliver(event: OrderFeedEvent): void {
    for (const subscriber of subscribers) {
      if (!subscriber.accept(event)) continue;
      // The live read and a replay can see the same entry: the replay reached it while the loop was loading its order.
      if (subscriber.replayedUpTo && compareIds(event.resumeCursor, subscriber.replayedUpTo) <= 0) continue;
      if (subscriber.held) subscriber.held.push(event);
      else subscriber.queue.push(event);
    }
  }

  async function replay(subscriber: Subscriber, resume: ResumePoint): Promise<void> {
    const start = "after" in resume ? `(${resume.after}` : `${Math.max(0, Math.floor(resume.since))}-0`;
    let lastReplayed: string | undefined;
    try {
      const entries = (await redis.xrange(stream, start, "+", "COUNT", maxReplay)) as Entry[];
      lastReplayed = entries.at(-1)?.[0];
      for (const event of await eventsOf(entries)) if (subscriber.accept(event)) subscriber.queue.push(event);
    } catch (error) {
      // A cursor Redis does not take, or Redis down: the subscription goes on with live events only.
      logger.warn({ err: error, resume }, "order feed could not replay missed events");
    }
    const held = subscriber.held ?? [];
    subscriber.held = undefined;
    subscriber.replayedUpTo = lastReplayed;
    for (const event of held)
      if (!lastReplayed || compareIds(event.resumeCursor, lastReplayed) > 0) subscriber.queue.push(event);
  }

  async function run(): Promise<void> {
    let after: string | undefined;
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (redis.status !== "ready") {
        await redisReady(redis, 1000).catch(() => undefined);
        continue;
      }
      try {
        // From the stream's current end at start; from the last entry read afterwards (an outage skips nothing).
        after ??= ((await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as Entry[])[0]?.[0] ?? "0-0";
        const result = (await redis.xread("COUNT", batchSize, "BLOCK", blockMs, "STREAMS", stream, after)) as
          [string, Entry[]][] | null;
        const entries = result?.[0]?.[1] ?? [];
        if (entries.length > 0) {
          after = (entries.at(-1) as Entry)[0];
          // Nobody listening: nothing to read from Postgres.
          if (subscribers.size > 0) for (const event of await eventsOf(entries)) deliver(event);
        }
        failures = 0;
      } catch (error) {
        failures += 1;
        logger.warn({ err: error, failures }, "order feed failed (Redis or Postgres unavailable?); retrying");
        const delay = Math.min(5000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  return {
    name: "order feed",
    stopWhen: "beforeDrain",
    start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
    subscribe(accept, resume) {
      const subscriber: Subscriber = {
        accept,
        queue: eventQueue<OrderFeedEvent>({ onEnd: () => subscribers.delete(subscriber), maxQueued }),
        ...(resume ? { held: [] } : {}),
      };
      subscribers.add(subscriber);
      if (resume) void replay(subscriber, resume);
      return subscriber.queue;
    },
    get subscriptions() {
      return subscribers.size;
    },
  };
}

const STATUSES: ReadonlySet<string> = new Set<OrderStatus>(["PLACED", "PREPARING", "READY", "COMPLETED", "CANCELLED"]);

/** The payload of an `order.status_changed` event, checked field by field; undefined when it is not one. */
function changeOf(raw: string | undefined): OrderStatusChangedV1 | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(raw ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { version, orderId, orderNumber, customerId, from, to, changedAt } = payload ?? {};
  if (version !== 1 || typeof orderId !== "string" || typeof customerId !== "string" || typeof orderNumber !== "number")
    return undefined;
  if (
    typeof to !== "string" ||
    !STATUSES.has(to) ||
    (from !== null && (typeof from !== "string" || !STATUSES.has(from)))
  )
    return undefined;
  if (typeof changedAt !== "string" || Number.isNaN(Date.parse(changedAt))) return undefined;
  return {
    version,
    orderId,
    orderNumber,
    customerId,
    from: from as OrderStatus | null,
    to: to as OrderStatus,
    changedAt,
  };
}

/** Orders two stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split("-").map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split("-").map(BigInt);
  return aMs === bMs ? Number(aSeq - bSeq) : aMs < bMs ? -1 : 1;
}
