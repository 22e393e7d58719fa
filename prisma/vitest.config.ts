import { fileURLToPath } from "node:url";
import { testTiers } from "@commerce/vitest-config";

export default testTiers({ globalSetup: fileURLToPath(new URL("./test/globalSetup.ts", import.meta.url)) });
