import { describe, expect, it } from "vitest";
import { baseTimeframe, symbolChoices, timeframeChoices } from "./symbols";
import type { SessionSummary } from "./types";
import { sessionFor } from "./useMarketData";

const session = (id: string, state: string, started_at: number | null, symbols: string[], timeframes: string[] = []): SessionSummary => ({
  id,
  state,
  started_at,
  request: { symbols, timeframes },
});

const sessions = [
  session("default", "ready", null, []),
  session("a", "stopped", 1, ["btcusdt"], ["5m", "1h"]),
  session("b", "running", 2, ["ETHUSDT", "BTCUSDT"], ["1m"]),
];

describe("selector choices", () => {
  it("lists the sessions' symbols, newest first, or the fallback", () => {
    expect(symbolChoices(sessions, "BTCUSDT")).toEqual(["ETHUSDT", "BTCUSDT"]);
    expect(symbolChoices([session("default", "ready", null, [])], "btcusdt")).toEqual(["BTCUSDT"]);
  });

  it("picks the session the server reads candles from", () => {
    expect(sessionFor(sessions, "btcusdt")).toBe("b");
    expect(sessionFor(sessions, "SOLUSDT")).toBeNull();
  });

  it("allows timeframes from the session's own", () => {
    expect(baseTimeframe([sessions[1]!], "BTCUSDT")).toBe("5m");
    expect(baseTimeframe(sessions, "BTCUSDT")).toBe("1m");
    expect(baseTimeframe(sessions, "SOLUSDT")).toBeNull();
    expect(timeframeChoices("5m").filter((t) => t.allowed).map((t) => t.name)).toEqual(["5m", "15m", "1h", "4h", "1d"]);
    expect(timeframeChoices(null).every((t) => t.allowed)).toBe(true);
  });
});
