import { testTiers } from "@commerce/vitest-config";

export default testTiers();
