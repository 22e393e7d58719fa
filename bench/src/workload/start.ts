// Starts the four benchmark subgraphs (one process each) and composes their supergraph.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, cleanEnv } from "../gateways/gateways.js";
import { freePort, startService, type Service } from "../harness/processes.js";
import { composeBenchSupergraph } from "./compose.js";
import { SUBGRAPH_NAMES, type SubgraphName } from "./subgraphs.js";

export interface BenchSubgraphs {
  urls: Record<SubgraphName, string>;
  services: Record<SubgraphName, Service>;
  supergraphPath: string;
}

export async function startBenchSubgraphs(dir: string): Promise<BenchSubgraphs> {
  const urls = {} as Record<SubgraphName, string>;
  const services = {} as Record<SubgraphName, Service>;
  for (const name of SUBGRAPH_NAMES) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    services[name] = await startService({
      name: `${name} subgraph`,
      command: process.execPath,
      args: ["--import", "tsx", join(BENCH_DIR, "src/workload/main.ts"), name],
      cwd: BENCH_DIR,
      env: { ...cleanEnv(), NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port) },
      logPath: join(dir, `subgraph-${name}.log`),
      ready: async () => (await fetch(`${origin}/health`)).ok,
    });
    urls[name] = `${origin}/graphql`;
  }
  const supergraphPath = join(dir, "supergraph.graphql");
  writeFileSync(supergraphPath, composeBenchSupergraph(urls));
  return { urls, services, supergraphPath };
}

/** What a subgraph has seen (see SubgraphStats in server.ts). */
export async function subgraphStats(
  url: string,
): Promise<{ requests: number; withAuthorization: number; lastAuthorization: string | null }> {
  const response = await fetch(url.replace(/\/graphql$/, "/stats"));
  return (await response.json()) as { requests: number; withAuthorization: number; lastAuthorization: string | null };
}
