import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { SUBGRAPH_NAMES, SUBGRAPH_SDL, type SubgraphName } from "./subgraphs.js";

/** The supergraph SDL of the four benchmark subgraphs at these URLs. */
export function composeBenchSupergraph(urls: Readonly<Record<SubgraphName, string>>): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: parse(SUBGRAPH_SDL[name]) })),
  );
  if (result.errors || !result.supergraphSdl)
    throw new Error(`composition failed: ${(result.errors ?? []).map((e) => e.message).join("; ")}`);
  return result.supergraphSdl;
}
