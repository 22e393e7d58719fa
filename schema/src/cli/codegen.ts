#!/usr/bin/env node
// Usage (from a subgraph package): commerce-codegen
import { generateResolverTypes } from "../codegen.js";

try {
  const file = await generateResolverTypes({ packageDir: process.cwd() });
  console.log(`generated ${file}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
