#!/usr/bin/env node
// The integration tests start a real redis-server; stop at once, saying how to get one, when it is missing.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin", "/usr/local/bin"];
const found = dirs.some((dir) => {
  try {
    accessSync(join(dir, "redis-server"), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (!found) {
  console.error(
    "The test suite runs against a real Redis, and redis-server is not on PATH.\n" +
      "Install it, then run the tests again:\n" +
      "  Debian/Ubuntu: sudo apt-get install -y redis-server\n" +
      "  macOS:         brew install redis\n" +
      "(Postgres needs nothing: the tests start an embedded one.)",
  );
  process.exit(1);
}
