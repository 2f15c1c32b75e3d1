import { describe, expect, it } from "vitest";
import { boxStyle, boxStyles, chartColours, withAlpha } from "./colours";

const dark = chartColours({ palette: { mode: "dark", background: { paper: "#161b22" }, text: { primary: "#e6edf3" } } });

describe("boxStyles", () => {
  it("gives each box the fill and outline it had when styled one by one", () => {
    const s = boxStyles(dark);
    expect(s.fill).toHaveLength(16);
    expect(s.fill[boxStyle("ob", 1, true)]).toBe(withAlpha(dark.box.ob.bull, 0.22));
    expect(s.fill[boxStyle("ob", -1, false)]).toBe(withAlpha(dark.box.ob.bear, 0.14));
    expect(s.fill[boxStyle("fvg", -1, true)]).toBe(withAlpha(dark.box.fvg.bear, 0.22));
    expect(s.fill[boxStyle("inverse_fvg", 1, true)]).toBe(withAlpha(dark.box.inverse_fvg.bull, 0.08));
    expect(s.fill[boxStyle("breaker_block", -1, false)]).toBe(withAlpha(dark.box.breaker_block.bear, 0.08));
    expect(s.stroke[boxStyle("breaker_block", 1, false)]).toBe(withAlpha(dark.box.breaker_block.bull, 0.7));
    expect(s.stroke[boxStyle("ob", -1, true)]).toBe(withAlpha(dark.box.ob.bear, 0.7));
    expect(new Set(s.fill.map((_, k) => k)).size).toBe(16);
  });

  it("writes #rrggbb with an alpha as rgba()", () => {
    expect(withAlpha("#2979ff", 0.5)).toBe("rgba(41,121,255,0.5)");
    expect(withAlpha("red", 0.5)).toBe("red");
  });
});
