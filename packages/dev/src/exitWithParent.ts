// Preloaded (`node --import`) into every service the dev runtime starts. Node has
// no parent-death signal, so a service polls its parent pid: when the dev runtime
// is killed hard (SIGKILL), its services are re-parented and stop themselves
// (SIGTERM → their own graceful shutdown) instead of holding ports.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 500).unref();
