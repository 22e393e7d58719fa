import { describe, expect, it } from "vitest";
import { addLogContext, createLogger } from "../src/logger.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("svc", "info", {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe("createLogger", () => {
  it("redacts credentials, tokens, cookies, connection strings and GraphQL variables", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: "p1",
        input: { password: "p2", refreshToken: "r1" },
        req: { headers: { authorization: "Bearer a1", cookie: "c1", "set-cookie": "s1", accept: "json" } },
        config: { databaseUrl: "postgresql://u:p3@h/db", jwtSecret: "j1", port: 1 },
        variables: { email: "e@x" },
        accessToken: "t1",
      },
      "event",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["p1", "p2", "r1", "a1", "c1", "s1", "p3", "j1", "e@x", "t1"])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      service: "svc",
      msg: "event",
      req: { headers: { accept: "json", authorization: "[redacted]" } },
      config: { port: 1 },
    });
  });

  it("adds the registered context fields (the active trace id) to every line", () => {
    let traceId = "abc";
    addLogContext(() => ({ trace_id: traceId }));
    const { logger, lines } = capture();
    logger.child({ requestId: "r-1" }).info("one");
    traceId = "def";
    logger.info("two");
    expect(lines.map((l) => [l.trace_id, l.requestId])).toEqual([
      ["abc", "r-1"],
      ["def", undefined],
    ]);
  });
});
