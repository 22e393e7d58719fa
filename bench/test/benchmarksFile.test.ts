import { describe, expect, it } from "vitest";
import { replaceSection } from "../src/harness/benchmarksFile.js";

describe("replaceSection", () => {
  it("replaces only its own section and leaves the rest of the file as it was", () => {
    const file = [
      "# Benchmarks",
      "",
      "Intro by hand.",
      "<!-- bench:soak:begin -->",
      "soak figures",
      "<!-- bench:soak:end -->",
      "<!-- bench:gateways-identical:begin -->",
      "old figures",
      "<!-- bench:gateways-identical:end -->",
      "Trailing notes.",
      "",
    ].join("\n");
    const updated = replaceSection(file, "gateways-identical", "new figures\n");
    expect(updated).toBe(file.replace("old figures", "new figures"));
  });

  it("appends a section the file does not have yet", () => {
    const updated = replaceSection("# Benchmarks\n\nOther section.\n", "gateways-auth", "figures");
    expect(updated).toBe(
      "# Benchmarks\n\nOther section.\n\n<!-- bench:gateways-auth:begin -->\nfigures\n<!-- bench:gateways-auth:end -->\n",
    );
  });

  it("starts a new file with a title", () => {
    const updated = replaceSection("", "gateways-auth", "figures");
    expect(updated.startsWith("# Benchmarks\n")).toBe(true);
    expect(updated).toContain("<!-- bench:gateways-auth:begin -->\nfigures\n<!-- bench:gateways-auth:end -->\n");
  });
});
