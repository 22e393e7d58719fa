// CPU per operation log line: pino writing 200,000 lines like the router's to stdout, with the synchronous
// destination pino uses by default or an asynchronous one (4 KB buffered; pino flushes it on exit).
// Usage: node router/scripts/logLineCost.mjs sync | cat > /dev/null      (then `async`; the figure goes to stderr)
import { createRequire } from "node:module";

const { pino } = createRequire(new URL("../../packages/common/package.json", import.meta.url))("pino");
const sync = process.argv[2] !== "async";
const logger = pino(
  { name: "router", base: { service: "router" }, redact: { paths: ["authorization", "*.authorization"] } },
  pino.destination({ dest: 1, sync, minLength: sync ? 0 : 4096 }),
).child({ requestId: "0f4c1f7e" });
const lines = 200_000;
const before = process.cpuUsage();
for (let i = 0; i < lines; i += 1) {
  logger.info({ operationName: "Trivial", durationMs: 1.23, status: 200, cost: 3, i }, "operation");
  // Let an asynchronous destination write, as between requests.
  if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
}
const cpu = process.cpuUsage(before);
process.stderr.write(`${sync ? "sync" : "async"}: ${((cpu.user + cpu.system) / lines).toFixed(2)} µs CPU per line\n`);
