import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../src/config.js";

// supergraph.yaml is for rover users; nothing in the repository reads it, so this keeps it from going stale: it must
// list exactly the subgraphs under subgraphs/, each with the SDL file it has and the port it really listens on.
interface RoverConfig {
  federation_version: string;
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}
const config = parse(readFileSync(join(repoRoot, "supergraph.yaml"), "utf8")) as RoverConfig;
const subgraphDirs = readdirSync(join(repoRoot, "subgraphs"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, "subgraphs", entry.name, "schema.graphql")))
  .map((entry) => entry.name);
const manifest = JSON.parse(readFileSync(join(repoRoot, "schema", "subgraphs.json"), "utf8")) as {
  subgraphs: { name: string; url: string }[];
};

describe("supergraph.yaml", () => {
  it("composes at the federation version the repository composes with", () => {
    const fromSchema = createRequire(join(repoRoot, "schema", "package.json"));
    const composition = JSON.parse(readFileSync(fromSchema.resolve("@apollo/composition/package.json"), "utf8")) as {
      version: string;
    };
    expect(config.federation_version).toBe(`=${composition.version}`);
  });

  it("lists exactly the subgraphs under subgraphs/ (and schema/subgraphs.json), each with its own schema.graphql", () => {
    expect(Object.keys(config.subgraphs).sort()).toEqual([...subgraphDirs].sort());
    expect(manifest.subgraphs.map((s) => s.name).sort()).toEqual([...subgraphDirs].sort());
    for (const [name, subgraph] of Object.entries(config.subgraphs)) {
      expect(resolve(repoRoot, subgraph.schema.file)).toBe(join(repoRoot, "subgraphs", name, "schema.graphql"));
    }
  });

  // Each subgraph's own config (importing it loads the subgraph kit: slow the first time on a busy machine).
  const defaultPorts = new Map<string, number>();
  beforeAll(async () => {
    for (const name of subgraphDirs) {
      const configModule = pathToFileURL(join(repoRoot, "subgraphs", name, "src", "config.ts")).href;
      const { loadConfig } = (await import(configModule)) as {
        loadConfig(env: Record<string, string>): { port: number };
      };
      defaultPorts.set(name, loadConfig({ DATABASE_URL: "postgresql://localhost:5432/commerce" }).port);
    }
  }, 120_000);

  it.each(subgraphDirs)("routes %s to the port it listens on by default (and in npm run dev and npm start)", (name) => {
    const url = `http://localhost:${defaultPorts.get(name)}/graphql`;
    expect(config.subgraphs[name]?.routing_url).toBe(url);
    expect(manifest.subgraphs.find((s) => s.name === name)?.url).toBe(url);
  });
});
