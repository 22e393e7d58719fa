// Prints how long the router takes to refuse each hostile input, over real HTTP, and checks it still answers
// normally afterwards. Usage: npm run bench:hostile -w @commerce/router   (no Postgres or Redis needed)
import { hostileCases, sendHostile } from "../test/fixtures/hostile.js";
import { serveLocalRouter } from "../test/fixtures/servedRouter.js";

const RUNS = 5;
const router = await serveLocalRouter();
const normal = JSON.stringify({ query: '{ product(id: "p1") { name } }' });
const headers = { "content-type": "application/json", "apollo-require-preflight": "true" };
let failures = 0;

console.log(`router at ${router.url}; each case sent ${RUNS} times (first = cold)\n`);
console.log(
  `${"case".padEnd(40)} ${"status".padEnd(6)} ${"code".padEnd(28)} ${"first ms".padStart(9)} ${"median ms".padStart(10)} ${"max ms".padStart(8)}`,
);
for (const hostile of hostileCases()) {
  const times: number[] = [];
  let outcome = { status: 0, code: undefined as unknown };
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    outcome = await sendHostile(router.url, hostile);
    times.push(performance.now() - started);
  }
  const after = await fetch(router.url, { method: "POST", headers, body: normal });
  const ok = outcome.status === hostile.status && outcome.code === hostile.code && after.status === 200;
  if (!ok) failures += 1;
  const sorted = [...times].sort((a, b) => a - b);
  const fmt = (ms: number | undefined) => (ms ?? NaN).toFixed(1);
  console.log(
    `${hostile.name.padEnd(40)} ${String(outcome.status).padEnd(6)} ${String(outcome.code).padEnd(28)} ${fmt(times[0]).padStart(9)} ${fmt(sorted[Math.floor(RUNS / 2)]).padStart(10)} ${fmt(sorted.at(-1)).padStart(8)}${ok ? "" : "  UNEXPECTED"}`,
  );
}
await router.stop();
if (failures > 0) {
  console.error(`\n${failures} case(s) were not refused as expected`);
  process.exitCode = 1;
}
