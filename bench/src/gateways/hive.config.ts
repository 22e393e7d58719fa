// Hive Gateway's configuration for the benchmark: the supergraph and flags come from the command line
// (see gateways.ts); this only forwards the caller's Authorization header to the subgraphs.
import { defineConfig } from "@graphql-hive/gateway";

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const authorization = request.headers.get("authorization");
      return authorization ? { authorization } : {};
    },
  },
});
