import { describe, expect, it } from "vitest";
import { weakPasswordRule } from "../src/passwordPolicy.js";

describe("weakPasswordRule", () => {
  it("accepts passwords of 10 to 256 characters that break no rule", () => {
    expect(weakPasswordRule("tangerine-kayak-41")).toBeNull();
    expect(weakPasswordRule("abcdefghiX")).toBeNull();
    expect(weakPasswordRule("ab".repeat(128))).toBeNull();
  });

  it("refuses fewer than 10 characters, counting characters rather than UTF-16 units", () => {
    expect(weakPasswordRule("")).toBe("TOO_SHORT");
    expect(weakPasswordRule("abcdefgh9")).toBe("TOO_SHORT");
    // Nine emoji are eighteen UTF-16 units but nine characters.
    expect(weakPasswordRule("\u{1F600}\u{1F601}\u{1F602}\u{1F603}\u{1F604}\u{1F605}\u{1F606}\u{1F607}\u{1F608}")).toBe(
      "TOO_SHORT",
    );
  });

  it("refuses more than 256 characters", () => {
    expect(weakPasswordRule("ab".repeat(128) + "c")).toBe("TOO_LONG");
  });

  it("refuses common passwords whatever their case", () => {
    expect(weakPasswordRule("password123")).toBe("COMMON");
    expect(weakPasswordRule("QwertyUiop")).toBe("COMMON");
    expect(weakPasswordRule("1234567890")).toBe("COMMON");
  });

  it("refuses one character repeated", () => {
    expect(weakPasswordRule("aaaaaaaaaaaa")).toBe("REPEATED_CHARACTER");
    expect(weakPasswordRule("\u{1F600}".repeat(12))).toBe("REPEATED_CHARACTER");
  });
});
