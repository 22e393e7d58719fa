import { runSubgraph } from "@commerce/subgraph";
import { subgraph } from "./server.js";

await runSubgraph(subgraph);
