// Entry of one benchmark subgraph process: `node --import tsx src/workload/main.ts <name>` with HOST and PORT.
import { SUBGRAPH_NAMES, subgraphSchema, type SubgraphName } from "./subgraphs.js";
import { createSubgraphServer } from "./server.js";

const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: main.ts <${SUBGRAPH_NAMES.join("|")}>`);
  process.exit(2);
}
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 0);
const server = createSubgraphServer(subgraphSchema(name));
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  const address = server.address();
  console.log(
    `${name} subgraph ready at http://${host}:${typeof address === "object" && address ? address.port : port}/graphql`,
  );
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
