import { describe, expect, it } from "vitest";
import { PNL, PNL_BY_DAY } from "./fixtures";
import { applyPnlEvent } from "./live";
import { todaysPnl } from "./today";
import type { PnlRow } from "./types";

const NOW = Date.UTC(2026, 11, 6, 12);
const YESTERDAY = NOW - 86_400_000;
const mark = (session: string, time: number, equity: string) => ({ session, event: { type: "equity_mark", time, cash: "0", equity } });

describe("today's P&L", () => {
  it("is the exact sum of the sessions' today_pnl, whenever they started", () => {
    const rows: PnlRow[] = [
      { ...PNL_BY_DAY, today_pnl: "0.1" },
      { ...PNL_BY_DAY, session: "s2", today_pnl: "0.2" },
    ];
    const started = new Map([["s1", YESTERDAY], ["s2", YESTERDAY]]);
    expect(todaysPnl(rows, started, NOW)).toEqual({ value: "0.3", note: "since each session's UTC day began, by its candles' clock" });
    // Not the P&L since start (12.5 each).
    expect(todaysPnl([PNL_BY_DAY], started, NOW).value).toBe("-87.5");
  });

  it("falls back to P&L since start only when the server sends no today_pnl", () => {
    expect(todaysPnl([PNL], new Map([["s1", NOW - 60_000]]), NOW).value).toBe("12.5");
    const older = todaysPnl([PNL], new Map([["s1", YESTERDAY]]), NOW);
    expect(older.value).toBeNull();
    expect(older.note).toMatch(/no start-of-day equity/);
    expect(todaysPnl([], new Map(), NOW).value).toBeNull();
  });
});

describe("equity marks from the stream", () => {
  it("follow today's P&L, the peak and the drawdown, and start a new day from the last equity", () => {
    const t0 = Date.UTC(2026, 11, 6, 23, 58);
    let rows = applyPnlEvent([PNL_BY_DAY], mark("s1", t0, "10050"));
    expect(rows[0]).toMatchObject({ day_start_equity: "10100", today_pnl: "-50", peak_equity: "10200", drawdown: "0.01470588" });
    rows = applyPnlEvent(rows, mark("s1", t0 + 60_000, "10300"));
    expect(rows[0]).toMatchObject({ today_pnl: "200", peak_equity: "10300", drawdown: "0" });
    // The candle clock crosses midnight: the day starts from the last mark before it.
    rows = applyPnlEvent(rows, mark("s1", t0 + 120_000, "10290.5"));
    expect(rows[0]).toMatchObject({ day_start_equity: "10300", today_pnl: "-9.5", peak_equity: "10300", drawdown: "0.00092233" });
  });

  it("starts a new session's day and peak at its first mark, and invents nothing for an older server", () => {
    const fresh = applyPnlEvent([], mark("s9", 1, "500"));
    expect(fresh[0]).toMatchObject({ day_start_equity: "500", today_pnl: "0", peak_equity: "500", drawdown: "0", pnl: "0" });
    const old = applyPnlEvent([PNL], mark("s1", 1, "9990.25"));
    expect(old[0]).toMatchObject({ equity: "9990.25", pnl: "-9.75" });
    expect(old[0]).not.toHaveProperty("today_pnl");
  });
});
