import { testTiers } from "@commerce/testing/vitest";

export default testTiers();
