#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so subgraphs need no build step to generate.
import { register } from "tsx/esm/api";
register();
await import("../src/cli/codegen.ts");
