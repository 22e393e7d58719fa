import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./e2e/processes.js";

// Two router processes sharing one port (node:cluster, as `npm start --workers 2` runs them). The primary hands each
// new connection to the next worker in turn, so requests on fresh connections are spread over both workers, and so
// are scrapes of /metrics.
const WORKERS = 2;
let primary: ChildProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  const unreachable = "http://127.0.0.1:1/graphql";
  primary = spawn(
    process.execPath,
    [
      "--conditions=development",
      "--import",
      "tsx",
      fileURLToPath(new URL("./fixtures/routerWorkers.ts", import.meta.url)),
    ],
    {
      env: {
        PATH: process.env.PATH ?? "",
        WORKERS: String(WORKERS),
        NODE_ENV: "test",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "error",
        // `{ __typename }` needs no subgraph: nothing is called.
        ...Object.fromEntries(
          ["ACCOUNTS", "CATALOG", "ORDERS", "LOYALTY", "REVIEWS"].map((name) => [`SUBGRAPH_${name}_URL`, unreachable]),
        ),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  process.once("exit", () => primary.kill("SIGKILL"));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the router workers did not start within 90 s:\n${output.slice(-2000)}`)),
      90_000,
    );
    primary.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("router workers listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    primary.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    primary.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the primary exited (code ${code}) before the workers listened:\n${output.slice(-2000)}`));
    });
  });
}, 120_000);

afterAll(async () => {
  if (!primary || primary.exitCode !== null) return;
  const exited = new Promise((resolve) => primary.once("exit", resolve));
  primary.kill("SIGTERM");
  await exited;
}, 30_000);

/** One HTTP request on a connection of its own (no keep-alive), so the primary hands it to the next worker. */
function send(method: "GET" | "POST", path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent: false,
        headers: body ? { "content-type": "application/json" } : {},
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The sum of every series of a counter in Prometheus text. */
function total(exposition: string, name: string): number {
  return exposition
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("/metrics of router workers sharing a port", () => {
  it("answers every worker's counts merged, whichever worker the scrape reaches", async () => {
    const before = total((await send("GET", "/metrics")).text, "graphql_operations_total");
    const operations = 10 * WORKERS;
    for (let i = 0; i < operations; i += 1) {
      const { status, text } = await send("POST", "/graphql", JSON.stringify({ query: "{ __typename }" }));
      expect(status).toBe(200);
      expect(JSON.parse(text)).toEqual({ data: { __typename: "Query" } });
    }
    // Each worker served about half of the operations; every scrape, on whichever worker, counts them all.
    for (let i = 0; i < 2 * WORKERS; i += 1) {
      const scrape = await send("GET", "/metrics");
      expect(scrape.status).toBe(200);
      expect(total(scrape.text, "graphql_operations_total") - before).toBe(operations);
      // Each metric merges by its own aggregator: the version info is taken from one worker, not summed to 2.
      expect(scrape.text).toMatch(/^nodejs_version_info\{.*service="router".*\} 1$/m);
    }
  });
});
