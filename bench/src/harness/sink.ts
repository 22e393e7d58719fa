// An OTLP/HTTP endpoint on loopback that accepts and discards trace exports, so the router records and exports
// its spans as it would in production without a collector on this machine.
import { createServer } from "node:http";

export interface TraceSink {
  url: string;
  /** Export requests received so far. */
  exports: () => number;
  close: () => Promise<void>;
}

export function startTraceSink(): Promise<TraceSink> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count += 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/v1/traces`,
        exports: () => count,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
