// CPU-profiles the process that imports it, for processes a harness starts (where `--cpu-prof` cannot be passed:
// Node refuses it in NODE_OPTIONS). The profile is written to $CPU_PROFILE_DIR (default: the working directory)
// when the process gets SIGTERM or SIGINT or exits; read it with `npm run profile:summary -w @commerce/router`.
//
//   npm run bench -- --router-env "NODE_OPTIONS=--import $PWD/router/scripts/cpuProfile.mjs" --router-env CPU_PROFILE_DIR=/tmp/profiles
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const directory = process.env.CPU_PROFILE_DIR ?? process.cwd();
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.start");
let written = false;
const write = () => {
  if (written) return;
  written = true;
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
  });
};
for (const signal of ["SIGTERM", "SIGINT"]) {
  const onSignal = () => {
    write();
    // A process with no handler of its own would have died of the signal: let it.
    if (process.listenerCount(signal) === 1) {
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    }
  };
  process.on(signal, onSignal);
}
process.on("exit", write);
