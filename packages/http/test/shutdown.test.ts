import { request, Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ApolloServer } from "@apollo/server";
import { describe, expect, it } from "vitest";
import { serveGraphQL } from "../src/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A server whose `slow` field resolves only when the test says so. */
async function serveSlow(shutdownTimeoutMs?: number) {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  const served = await serveGraphQL({
    apollo: () =>
      new ApolloServer({
        typeDefs: "type Query { slow: String, fast: String }",
        resolvers: {
          Query: {
            slow: async () => {
              started += 1;
              await released;
              return "done";
            },
            fast: () => "fast",
          },
        },
        logger: quiet,
      }),
    context: async () => ({}),
    host: "127.0.0.1",
    port: 0,
    ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
  });
  return { served, release, started: () => started };
}

/** POSTs over a keep-alive agent; resolves with the status, the Connection header and the body. */
function post(
  url: string,
  query: string,
  agent: Agent,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}

describe("serveGraphQL stop()", () => {
  it("lets every in-flight request finish, closes their connections after them, and refuses new connections", async () => {
    const { served, release, started } = await serveSlow();
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const origin = new URL(served.url).origin;
    // One idle keep-alive connection, and 20 requests in flight.
    expect((await post(served.url, "{ fast }", agent)).status).toBe(200);
    const inFlight = Array.from({ length: 20 }, () => post(served.url, "{ slow }", agent));
    while (started() < 20) await sleep(10);

    let stopped = false;
    const stopping = served.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    await expect(fetch(`${origin}/health`)).rejects.toThrow();
    release();
    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 200, connection: "close" });
      expect(JSON.parse(answer.body)).toEqual({ data: { slow: "done" } });
    }
    await stopping;
    expect(stopped).toBe(true);
    agent.destroy();
  });

  it("fails readiness probes once stopping: their idle keep-alive connection is closed", async () => {
    const { served, release, started } = await serveSlow();
    const agent = new Agent({ keepAlive: true });
    const origin = new URL(served.url).origin;
    const inFlight = post(served.url, "{ slow }", agent);
    // A second keep-alive connection, open before the stop, for the probe.
    const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ready = () =>
      new Promise<number>((resolve, reject) => {
        request(`${origin}/ready`, { agent: probeAgent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
          .on("error", reject)
          .end();
      });
    expect(await ready()).toBe(200);
    while (started() < 1) await sleep(10);
    const stopping = served.stop();
    // The probe's connection was idle: the stop closes it, so the probe cannot reach the server any more.
    await expect(ready()).rejects.toThrow();
    release();
    expect((await inFlight).status).toBe(200);
    await stopping;
    agent.destroy();
    probeAgent.destroy();
  });

  it("closes connections still busy after shutdownTimeoutMs", async () => {
    const { served, release } = await serveSlow(200);
    const agent = new Agent({ keepAlive: true });
    const stuck = post(served.url, "{ slow }", agent).then(
      () => "answered",
      () => "cut",
    );
    await sleep(50);
    await served.stop();
    expect(await stuck).toBe("cut");
    release();
    agent.destroy();
  });
});
