import { ConfigError } from "@commerce/common";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPERATION_LIMITS } from "../src/limits/operationLimits.js";
import { LIMIT_VARIABLES, loadAnalysisSettings } from "../src/settings.js";

describe("loadAnalysisSettings", () => {
  it("has the router's defaults", () => {
    expect(loadAnalysisSettings({})).toEqual({
      limits: DEFAULT_OPERATION_LIMITS,
      limitsMode: "enforce",
      cost: { mode: "enforce", max: 1000, defaultListSize: 10, entityFetchWeight: 1 },
    });
  });

  it("reads every limit and cost variable, and nothing else", () => {
    const env = Object.fromEntries(Object.values(LIMIT_VARIABLES).map((name, i) => [name, String(i + 2)]));
    const settings = loadAnalysisSettings({
      ...env,
      LIMITS_MODE: "warn",
      COST_MODE: "measure",
      COST_MAX: "30",
      COST_DEFAULT_LIST_SIZE: "4",
      COST_ENTITY_FETCH_WEIGHT: "0",
      PORT: "x",
    });
    expect(Object.values(settings.limits)).toEqual(Object.keys(LIMIT_VARIABLES).map((_, i) => i + 2));
    expect(settings.limitsMode).toBe("warn");
    expect(settings.cost).toEqual({ mode: "measure", max: 30, defaultListSize: 4, entityFetchWeight: 0 });
  });

  it("reports every invalid variable at once", () => {
    let error: unknown;
    try {
      loadAnalysisSettings({ MAX_QUERY_DEPTH: "0", COST_MODE: "sometimes" });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'MAX_QUERY_DEPTH must be an integer between 1 and 1000000, got "0"',
      'COST_MODE must be one of enforce, measure, got "sometimes"',
    ]);
  });
});
