import type { Socket } from "node:net";
import { afterEach, describe as group, expect, it } from "vitest";
import WebSocket from "ws";
import { createTokenSigner } from "@commerce/auth";
import { startSubscriptionGraph, type SubscriptionGraph } from "../fixtures/subscriptionGraph.js";
import { bearer, TEST_JWT_SECRET } from "../helpers.js";
import { describe, record, sseClient, wsClient } from "./clients.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(env: Record<string, string> = {}): Promise<SubscriptionGraph> {
  const graph = await startSubscriptionGraph(env);
  cleanups.push(() => graph.stop());
  return graph;
}

function ws(graph: SubscriptionGraph, options: Parameters<typeof wsClient>[1] = {}) {
  const client = wsClient(graph.wsUrl, options);
  cleanups.push(() => client.dispose());
  return client;
}

const ORDER_UPDATED =
  "subscription ($id: ID!) { orderUpdated(id: $id) { id status product { name } customer { displayName } } }";
const TICKS = "subscription { ticks { n } }";

/** Waits until the subgraph has `count` subscriptions listening (the router opened them upstream). */
async function listening(feed: { listening: number }, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (feed.listening !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} upstream subscriptions, have ${feed.listening}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function statusEvent(status: string) {
  return { order: { id: "o1", status, productId: "p1", customerId: "u1", note: "ring twice" } };
}

group("subscriptions through the router", () => {
  it("delivers each event over graphql-ws and SSE with the fields of every subgraph, in order", async () => {
    const graph = await start();
    const authorization = await bearer("u1");
    const overWs = record(ws(graph, { authorization }), ORDER_UPDATED, { id: "o1" });
    const overSse = record(sseClient(graph.url, { authorization }), ORDER_UPDATED, { id: "o1" });
    cleanups.push(overSse.unsubscribe);
    await listening(graph.orders, 2);
    for (const status of ["PREPARING", "READY", "COMPLETED"]) graph.orders.publish(statusEvent(status));
    const expected = ["PREPARING", "READY", "COMPLETED"].map((status) => ({
      data: { orderUpdated: { id: "o1", status, product: { name: "Kettle" }, customer: { displayName: "Ada" } } },
    }));
    await overWs.recording.received(3);
    await overSse.recording.received(3);
    expect(overWs.recording.results).toEqual(expected);
    expect(overSse.recording.results).toEqual(expected);
    const metrics = (await graph.router.metrics()).body;
    expect(metrics).toMatch(/graphql_subscriptions_active\{transport="ws"[^}]*\} 1\n/);
    expect(metrics).toMatch(/graphql_subscriptions_active\{transport="sse"[^}]*\} 1\n/);
    expect(metrics).toMatch(/graphql_subscription_events_total\{outcome="success"[^}]*\} 6\n/);
    expect(metrics).toMatch(/graphql_subscription_event_duration_seconds_count\{[^}]*\} 6\n/);
    overWs.unsubscribe();
    overSse.unsubscribe();
    await listening(graph.orders, 0);
    expect((await graph.router.metrics()).body).toMatch(/graphql_subscriptions_active\{transport="ws"[^}]*\} 0\n/);
  });

  it("refuses an anonymous subscription to a field that needs a signed-in caller, with a coded error, over both transports", async () => {
    const graph = await start();
    const overWs = record(ws(graph), ORDER_UPDATED, { id: "o1" });
    const overSse = record(sseClient(graph.url), ORDER_UPDATED, { id: "o1" });
    await overWs.recording.end();
    await overSse.recording.until((r) => r.completed, "the SSE stream to complete");
    expect(describe(overWs.recording.error)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
    expect(overSse.recording.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE"],
    ]);
    expect(graph.orders.listening).toBe(0);
  });

  it("ends another customer's subscription with the subgraph's coded refusal", async () => {
    const graph = await start();
    const overWs = record(ws(graph, { authorization: await bearer("u2") }), ORDER_UPDATED, { id: "o1" });
    await overWs.recording.end();
    expect(overWs.recording.completed).toBe(true);
    expect(overWs.recording.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([["NOT_FOUND"]]);
  });

  it("filters a field the caller may not see out of every event (null, with its coded error)", async () => {
    const graph = await start();
    const overWs = record(
      ws(graph, { authorization: await bearer("u1") }),
      'subscription { orderUpdated(id: "o1") { status note } }',
    );
    await listening(graph.orders, 1);
    graph.orders.publish(statusEvent("READY"));
    await overWs.recording.received(1);
    const [event] = overWs.recording.results;
    expect(event?.data).toEqual({ orderUpdated: { status: "READY", note: null } });
    expect(event?.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ["UNAUTHORIZED_FIELD_OR_TYPE", ["orderUpdated", "note"]],
    ]);
  });

  it("applies the operation limits and the cost limit to subscription documents", async () => {
    const graph = await start({ MAX_QUERY_DEPTH: "1", COST_MAX: "1" });
    const deep = record(ws(graph, { authorization: await bearer("u1") }), ORDER_UPDATED, { id: "o1" });
    await deep.recording.end();
    expect(describe(deep.recording.error)).toEqual(["MAX_DEPTH_LIMIT"]);
    const costly = await start({ COST_MAX: "1" });
    const expensive = record(ws(costly, { authorization: await bearer("u1") }), ORDER_UPDATED, { id: "o1" });
    await expensive.recording.end();
    expect(describe(expensive.recording.error)).toEqual(["COST_ESTIMATED_TOO_EXPENSIVE"]);
  });

  it("refuses a subscription over plain HTTP with BAD_REQUEST (HTTP 400)", async () => {
    const graph = await start();
    const response = await fetch(graph.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: TICKS }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors.map((e) => [e.extensions.code, e.extensions.reason])).toEqual([
      ["BAD_REQUEST", "SUBSCRIPTION_NEEDS_STREAM"],
    ]);
  });

  it("limits subscriptions per connection and per caller with MAX_SUBSCRIPTIONS_LIMIT", async () => {
    const graph = await start({ SUBSCRIPTIONS_MAX_PER_CONNECTION: "2", SUBSCRIPTIONS_MAX_PER_CALLER: "3" });
    const authorization = await bearer("u1");
    const first = ws(graph, { authorization });
    const open = [record(first, TICKS), record(first, TICKS)];
    await listening(graph.ticks, 2);
    const third = record(first, TICKS);
    await third.recording.end();
    expect(third.recording.error).toEqual([
      expect.objectContaining({
        extensions: { code: "MAX_SUBSCRIPTIONS_LIMIT", limit: { measured: 3, max: 2, scope: "connection" } },
      }),
    ]);
    const second = ws(graph, { authorization });
    open.push(record(second, TICKS));
    await listening(graph.ticks, 3);
    const fourth = record(sseClient(graph.url, { authorization }), TICKS);
    await fourth.recording.end();
    expect(fourth.recording.results[0]?.errors?.[0]?.extensions).toEqual({
      code: "MAX_SUBSCRIPTIONS_LIMIT",
      limit: { measured: 4, max: 3, scope: "caller" },
    });
    // A place freed is a place taken again.
    open[0]?.unsubscribe();
    await listening(graph.ticks, 2);
    const again = record(second, TICKS);
    await listening(graph.ticks, 3);
    expect(again.recording.ended).toBe(false);
  });

  it("closes the socket with 4401 and the reason for an invalid token, and when the token expires", async () => {
    const graph = await start();
    const invalid = ws(graph, { authorization: "Bearer not-a-token" });
    const refused = record(invalid, TICKS);
    await refused.recording.end();
    expect(describe(refused.recording.error)).toEqual({ code: 4401, reason: "TOKEN_INVALID" });
    const overSse = record(sseClient(graph.url, { authorization: "Bearer not-a-token" }), TICKS);
    await overSse.recording.until((r) => r.completed, "the SSE stream to complete");
    expect(overSse.recording.results.map((r) => r.errors?.[0]?.extensions)).toEqual([
      { code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" },
    ]);

    const shortLived = await createTokenSigner({ secret: TEST_JWT_SECRET, ttlSeconds: 2 }).sign("u1", []);
    const client = ws(graph, { authorization: `Bearer ${shortLived}` });
    const expiring = record(client, TICKS);
    await listening(graph.ticks, 1);
    await expiring.recording.end(4_000);
    expect(expiring.recording.results.map((r) => r.errors?.[0]?.extensions)).toEqual([
      { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" },
    ]);
    await expiring.recording.until(() => client.closes.length > 0, "the socket to close");
    expect(client.closes).toEqual([{ code: 4401, reason: "TOKEN_EXPIRED" }]);
    await listening(graph.ticks, 0);
    expect((await graph.router.metrics()).body).toMatch(
      /graphql_subscriptions_ended_total\{reason="token_expired"[^}]*\} 1\n/,
    );
  });

  it("ends an SSE subscription with UNAUTHENTICATED (TOKEN_EXPIRED) when the token expires", async () => {
    const graph = await start();
    const shortLived = await createTokenSigner({ secret: TEST_JWT_SECRET, ttlSeconds: 2 }).sign("u1", []);
    const expiring = record(sseClient(graph.url, { authorization: `Bearer ${shortLived}` }), TICKS);
    await listening(graph.ticks, 1);
    await expiring.recording.until((r) => r.completed, "the stream to complete", 4_000);
    expect(expiring.recording.results.map((r) => r.errors?.[0]?.extensions)).toEqual([
      { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" },
    ]);
  });

  it("closes a connection without subscriptions after the idle timeout", async () => {
    const graph = await start({ SUBSCRIPTIONS_IDLE_TIMEOUT_MS: "300" });
    const socket = new WebSocket(graph.wsUrl, "graphql-transport-ws");
    cleanups.push(() => socket.terminate());
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    const acknowledged = await new Promise<unknown>((resolve) =>
      socket.once("message", (data) => resolve(JSON.parse(String(data)))),
    );
    expect(acknowledged).toEqual({ type: "connection_ack" });
    expect(await closed).toEqual({ code: 1000, reason: "IDLE_TIMEOUT" });
  });

  it("resumes the subgraph subscription when the subgraph restarts, replaying what was missed", async () => {
    const graph = await start();
    const overWs = record(ws(graph, { authorization: await bearer("u1") }), ORDER_UPDATED, { id: "o1" });
    await listening(graph.orders, 1);
    graph.orders.publish(statusEvent("PREPARING"));
    await overWs.recording.received(1);
    const restarted = graph.restartOrders(300);
    // Published while the subgraph is down: the router asks for it when it resubscribes after the last cursor.
    graph.orders.publish(statusEvent("READY"));
    await restarted;
    await listening(graph.orders, 1);
    graph.orders.publish(statusEvent("COMPLETED"));
    await overWs.recording.received(3);
    expect(overWs.recording.results.map((r) => (r.data?.orderUpdated as { status: string }).status)).toEqual([
      "PREPARING",
      "READY",
      "COMPLETED",
    ]);
    expect(overWs.recording.ended).toBe(false);
  });

  it("closes every stream with SHUTTING_DOWN when the router stops", async () => {
    const graph = await startSubscriptionGraph();
    const client = wsClient(graph.wsUrl);
    const overWs = record(client, TICKS);
    const overSse = record(sseClient(graph.url), TICKS);
    await listening(graph.ticks, 2);
    await graph.stop();
    await overWs.recording.until((r) => r.completed, "the WebSocket subscription to complete");
    await overSse.recording.until((r) => r.completed, "the SSE stream to complete");
    // The last result says why, then the socket closes with 1001 (graphql-ws clients reconnect, elsewhere).
    expect(overWs.recording.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["SHUTTING_DOWN"]);
    await overWs.recording.until(() => client.closes.length > 0, "the socket to close");
    expect(client.closes).toEqual([{ code: 1001, reason: "SHUTTING_DOWN" }]);
    expect(overSse.recording.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["SHUTTING_DOWN"]);
    expect(graph.ticks.listening).toBe(0);
  });

  it("disconnects a WebSocket client that stops reading with 4001 SLOW_CONSUMER instead of buffering its events", async () => {
    const graph = await start({ SUBSCRIPTIONS_MAX_BUFFERED_BYTES: "65536", SUBSCRIPTIONS_MAX_PENDING_EVENTS: "8" });
    const client = ws(graph);
    const slow = record(client, "subscription { ticks(size: 65536) { n padding } }");
    await listening(graph.ticks, 1);
    // Stop reading: the router's writes pile up in its socket once the kernel buffers are full.
    const socket = (client.sockets[0] as unknown as { _socket: Socket })._socket;
    socket.pause();
    for (let n = 1; n <= 400 && !slow.recording.ended; n++) {
      graph.ticks.publish({ n });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    socket.resume();
    await slow.recording.end();
    expect(describe(slow.recording.error)).toEqual({ code: 4001, reason: "SLOW_CONSUMER" });
    await listening(graph.ticks, 0);
  });
});
