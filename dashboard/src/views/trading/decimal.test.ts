import { describe, expect, it } from "vitest";
import { add, compare, divide, isPositive, shift, sub, sum } from "./decimal";
import { newOrder } from "./ticket";

describe("decimal strings", () => {
  it("adds and subtracts exactly", () => {
    expect(add("0.1", "0.2")).toBe("0.3");
    expect(sub("9990.25", "10000")).toBe("-9.75");
    expect(sub("1.10", "1.1")).toBe("0");
    expect(add("-0.5", "0.25")).toBe("-0.25");
    expect(sum(["1.5", null, "2.25"])).toBe("3.75");
    expect(sum([])).toBeNull();
    expect(add("x", "1")).toBeNull();
  });

  it("compares", () => {
    expect(compare("0.30", "0.3")).toBe(0);
    expect(compare("0.2999", "0.3")).toBe(-1);
    expect(isPositive("0.0001")).toBe(true);
    expect(isPositive("0")).toBe(false);
  });

  it("shifts and divides exactly, rounding half to even", () => {
    expect(shift("0.0123", 2)).toBe("1.23");
    expect(shift("5", -3)).toBe("0.005");
    expect(divide("220.5", "10200", 8)).toBe("0.02161765");
    expect(divide("1", "8", 2)).toBe("0.12");
    expect(divide("3", "8", 2)).toBe("0.38");
    expect(divide("-1", "3", 4)).toBe("-0.3333");
    expect(divide("1", "0", 4)).toBeNull();
  });
});

describe("order ticket", () => {
  const base = { session: "s1", symbol: "btcusdt", side: "buy" as const, type: "market" as const, qty: "0.01", price: "", stopPrice: "" };
  it("builds the body each type needs", () => {
    expect(newOrder(base)).toEqual({ order: { session: "s1", symbol: "BTCUSDT", side: "buy", type: "market", qty: "0.01" } });
    expect(newOrder({ ...base, type: "stop", stopPrice: "100", price: "99" })).toEqual({
      order: { session: "s1", symbol: "BTCUSDT", side: "buy", type: "stop", qty: "0.01", stop_price: "100", price: "99" },
    });
  });
  it("names the wrong field", () => {
    expect(newOrder({ ...base, qty: "0" })).toEqual({ error: "Quantity: must be more than zero" });
    expect(newOrder({ ...base, type: "limit" })).toEqual({ error: "Price: a decimal such as 0.01" });
    expect(newOrder({ ...base, session: "" })).toEqual({ error: "Session: pick a running session" });
  });
});
