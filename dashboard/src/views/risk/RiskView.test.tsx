import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import RiskView from "../RiskView";
import { PNL, PNL_BY_DAY } from "../trading/fixtures";
import { apiCalls, renderAs } from "../../test/signedIn";
import { fill } from "../../test/user";
import type { RiskAnswer } from "./types";

afterEach(() => vi.unstubAllGlobals());

const LIMITS = {
  max_position_size: "1000", max_daily_loss: "500", stop_loss_percent: "2", max_drawdown_percent: null,
  max_leverage: "3", max_portfolio_var_percent: "5", var_confidence: "0.99",
};

const NEW_SERVER: RiskAnswer = {
  limits: LIMITS,
  sessions: [
    {
      session: "s1",
      equity: "10000",
      risk_refusals: 2,
      breakers: { daily_loss: { state: "tripped", reason: "loss 510 over 500", time: 1_796_588_340_000 } },
      exposure: [{ instrument: "binance:BTCUSDT", notional: "800" }],
      exposure_by_venue: [{ venue: "binance", notional: "880", percent_of_equity: "8.8" }],
      exposure_by_group: [{ group: "BTC", kind: "base_asset", symbols: ["BTCUSDT"], notional: "880", percent_of_equity: "8.8" }],
      var: { confidence: "0.99", value: "123.45", percent: "1.2345" },
    },
  ],
};

const OLD_SERVER: RiskAnswer = {
  limits: LIMITS,
  sessions: [{ session: "s1", equity: "10000", risk_refusals: 0, breakers: {}, exposure: [{ instrument: "binance:BTCUSDT", notional: "800" }] }],
};

const routes = (risk: RiskAnswer, extra = {}) => ({ "GET /api/v1/risk": risk, "GET /api/v1/pnl": [PNL], ...extra });

// MUI dialogs under jsdom are slow on a busy 2-core machine: room beyond the 5 s default.
describe("RiskView", { timeout: 20_000 }, () => {
  it("shows limits with their use, exposure by symbol, venue and group, and the VaR", async () => {
    await renderAs("viewer", <RiskView />, routes(NEW_SERVER));
    const use = await screen.findByTestId("limit-use-s1");
    expect(within(use).getByText("Largest position (notional at entry)").closest("tr")).toHaveTextContent("800");
    expect(within(use).getByLabelText(/Largest position .* share of the limit used/)).toHaveAttribute("aria-valuenow", "80");
    expect(within(use).getByText("Gross leverage").closest("tr")).toHaveTextContent("0.09×");
    const exposure = screen.getByTestId("exposure-s1");
    expect(within(exposure).getByRole("table", { name: "Exposure by venue of s1" })).toHaveTextContent("binance880.008.8 %");
    expect(within(exposure).getByRole("table", { name: "Exposure by group of s1" })).toHaveTextContent("BTC880.008.8 %");
    expect(within(exposure).getByLabelText("VaR of s1")).toHaveTextContent("123.45 (1.2345 % of equity) at 0.99");
    expect(within(screen.getByTestId("breakers")).getByText("Tripped")).toBeInTheDocument();
  });

  it("uses /pnl's today_pnl for the daily loss and its drawdown against max_drawdown_percent, live from equity marks", async () => {
    const withDrawdownCap = { ...NEW_SERVER, limits: { ...LIMITS, max_drawdown_percent: "10" } };
    const { socket, calls } = await renderAs("viewer", <RiskView />, routes(withDrawdownCap, { "GET /api/v1/pnl": [PNL_BY_DAY] }));
    const use = await screen.findByTestId("limit-use-s1");
    const loss = () => within(use).getByText("Loss today").closest("tr")!;
    const drawdown = () => within(use).getByText("Drawdown").closest("tr")!;
    const bar = (row: HTMLElement) => Number(within(row).getByLabelText(/share of the limit used/).getAttribute("aria-valuenow"));
    await vi.waitFor(() => expect(loss()).toHaveTextContent("87.50"));
    expect(bar(loss())).toBeCloseTo(17.5);
    expect(drawdown()).toHaveTextContent("1.84 %");
    expect(drawdown()).toHaveTextContent("10 %");
    expect(drawdown()).toHaveTextContent("below the peak equity of 10,200.00");
    expect(bar(drawdown())).toBeCloseTo(18.38235);
    const pnlLoads = () => apiCalls(calls, "GET").filter((c) => c.url === "/api/v1/pnl").length;
    const loaded = pnlLoads();
    // An equity mark on the stream moves both at once, without asking the server again.
    socket.push("positions", { session: "s1", event: { type: "equity_mark", time: Date.UTC(2026, 11, 6, 12), cash: "0", equity: "9690" } });
    expect(loss()).toHaveTextContent("410.00");
    expect(bar(loss())).toBeCloseTo(82);
    expect(drawdown()).toHaveTextContent("5.00 %");
    expect(bar(drawdown())).toBeCloseTo(50);
    expect(pnlLoads()).toBe(loaded);
  });

  it("says what an older server's /pnl cannot tell", async () => {
    await renderAs("viewer", <RiskView />, routes(NEW_SERVER));
    const use = await screen.findByTestId("limit-use-s1");
    await vi.waitFor(() => expect(within(use).getByText("Loss since the session started")).toBeInTheDocument());
    expect(within(use).getByText("Drawdown").closest("tr")).toHaveTextContent("this server gives no peak equity");
  });

  it("shows '—' where an older server has no venue, group or VaR figures", async () => {
    await renderAs("viewer", <RiskView />, routes(OLD_SERVER));
    const exposure = await screen.findByTestId("exposure-s1");
    expect(within(exposure).getByRole("table", { name: "Exposure by venue of s1" })).toHaveTextContent("—");
    expect(within(exposure).getByRole("table", { name: "Exposure by symbol of s1" })).toHaveTextContent("BTCUSDT800.00");
    expect(within(exposure).getByLabelText("VaR of s1")).toHaveTextContent("VaR: —");
    expect(screen.getByText("No breaker has tripped: all are armed.")).toBeInTheDocument();
  });

  it("offers Reset to admins only", async () => {
    const trader = await renderAs("trader", <RiskView />, routes(NEW_SERVER));
    await within(await screen.findByTestId("breakers")).findByText("daily_loss");
    expect(screen.queryByRole("button", { name: /Reset/ })).toBeNull();
    trader.unmount();
    await renderAs("admin", <RiskView />, routes(NEW_SERVER));
    expect(await screen.findByRole("button", { name: "Reset daily_loss in s1" })).toBeInTheDocument();
  });

  it("resets a breaker with the reason in the body and the code in X-TOTP", async () => {
    const { calls } = await renderAs(
      "admin",
      <RiskView />,
      routes(NEW_SERVER, { "POST /api/v1/risk/breakers/daily_loss/reset": { breaker: "daily_loss", session: "s1", operator: "a-admin" } }),
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Reset daily_loss in s1" }));
    const dialog = await screen.findByRole("dialog");
    await fill(user, within(dialog).getByLabelText("Reason"), "checked the venue");
    await fill(user, within(dialog).getByLabelText("Code"), "123456");
    await user.click(within(dialog).getByRole("button", { name: "Reset" }));
    await vi.waitFor(() => expect(apiCalls(calls, "POST")).toHaveLength(1));
    const [call] = apiCalls(calls, "POST");
    expect(call!.url).toBe("/api/v1/risk/breakers/daily_loss/reset");
    expect(call!.headers["X-TOTP"]).toBe("123456");
    expect(call!.body).toEqual({ session: "s1", reason: "checked the venue" });
  });

  it("says when the code is refused", async () => {
    // The server answers 401 totp_invalid; the client refreshes its token once and asks again.
    const pair = { access_token: "x.eyJzdWIiOiJhLWFkbWluIiwicm9sZSI6ImFkbWluIiwiZXhwIjo5ZTl9.s", refresh_token: "r2", token_type: "Bearer", expires_in: 900 };
    const { calls } = await renderAs(
      "admin",
      <RiskView />,
      routes(NEW_SERVER, {
        "POST /api/v1/risk/breakers/daily_loss/reset": [401, { error: "totp_invalid", message: "the TOTP code is wrong or was already used" }],
        "POST /api/v1/auth/refresh": pair,
      }),
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Reset daily_loss in s1" }));
    const dialog = await screen.findByRole("dialog");
    await fill(user, within(dialog).getByLabelText("Reason"), "ok");
    await fill(user, within(dialog).getByLabelText("Code"), "000000");
    await user.click(within(dialog).getByRole("button", { name: "Reset" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("That code was not accepted");
    expect(apiCalls(calls, "POST").every((c) => c.headers["X-TOTP"] === "000000")).toBe(true);
  });

  it("shows a trip from the risk topic at once", async () => {
    let answer = OLD_SERVER;
    const { socket, calls } = await renderAs("admin", <RiskView />, routes(OLD_SERVER, { "GET /api/v1/risk": () => answer }));
    const breakers = await screen.findByTestId("breakers");
    await screen.findByTestId("exposure-s1");
    const tripped = { state: "tripped", reason: "down 12 %", time: 7 };
    answer = { ...OLD_SERVER, sessions: [{ ...OLD_SERVER.sessions[0]!, risk_refusals: 1, breakers: { max_drawdown: tripped } }] };
    socket.push("risk", { session: "s1", event: { type: "breaker_tripped", time: 7, breaker: "max_drawdown", reason: "down 12 %", cooldown_until: null } });
    expect(within(breakers).getByText("max_drawdown").closest("tr")).toHaveTextContent("Tripped");
    expect(within(breakers).getByRole("button", { name: "Reset max_drawdown in s1" })).toBeInTheDocument();
    // The event also reloads GET /risk for the refusals and exposure it changed.
    await vi.waitFor(() => expect(apiCalls(calls, "GET").filter((c) => c.url === "/api/v1/risk")).toHaveLength(2));
    expect(await screen.findByText("Session s1 · 1 refused")).toBeInTheDocument();
  });
});
