// Vanilla @apollo/gateway + @apollo/server (standalone, no plugins) over a supergraph file: the reference peer.
// The only addition is forwarding the caller's Authorization header to the subgraphs, which the unique-token
// scenario needs from every gateway. Env: SUPERGRAPH_PATH, HOST, PORT.
import { readFileSync } from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

interface Context {
  authorization?: string | undefined;
}

const supergraphPath = process.env.SUPERGRAPH_PATH;
if (!supergraphPath) {
  console.error("SUPERGRAPH_PATH is required");
  process.exit(2);
}
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<Context>({
      url,
      willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set("authorization", context.authorization);
      },
    }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 4000) },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`vanilla gateway ready at ${url}`);
