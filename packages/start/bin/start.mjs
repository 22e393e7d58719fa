#!/usr/bin/env node
// `npm start` runs the built services: say so, rather than print a module-not-found stack, when they are not built.
import { existsSync } from "node:fs";

const entry = new URL("../dist/start.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("npm start runs the built router and subgraphs, and they are not built: run `npm run build` first.");
  process.exit(1);
}
await import(entry.href);
