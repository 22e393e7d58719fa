// Run by `npm test` before the suites: the integration tests need a real redis-server. When it is missing and this
// machine can install Debian packages (root, apt-get), it is installed, with one line saying so; otherwise the run
// stops at once with the command that installs it. (Postgres needs nothing: the tests start an embedded one.)
import { installRedisServerWithApt } from "@commerce/stack";

if (!installRedisServerWithApt((line) => console.log(`[test] ${line}`))) {
  console.error(
    "The test suite runs against a real Redis, and redis-server is not on PATH.\n" +
      "Install it, then run the tests again:\n" +
      "  Debian/Ubuntu: sudo apt-get install -y redis-server\n" +
      "  macOS:         brew install redis",
  );
  process.exit(1);
}
