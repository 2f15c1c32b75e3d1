import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import TradingView from "../TradingView";
import { ORDER, PNL_BY_DAY, SESSION, TRADING_ROUTES } from "./fixtures";
import { apiCalls, renderAs } from "../../test/signedIn";
import { fill } from "../../test/user";

afterEach(() => vi.unstubAllGlobals());

// MUI dialogs under jsdom are slow on a busy 2-core machine: room beyond the 5 s default.
describe("TradingView", { timeout: 20_000 }, () => {
  it("shows a trader the ticket, Cancel, Flatten and Start/Stop, and a viewer none of them", async () => {
    const trader = await renderAs("trader", <TradingView />, TRADING_ROUTES);
    const orders = await screen.findByTestId("open-orders");
    await within(orders).findByText("op-1-0");
    expect(screen.getByTestId("order-ticket")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Place order" })).toBeInTheDocument();
    expect(within(orders).getByRole("button", { name: /Cancel order op-1-0/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start paper session" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Stop session s1" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Flatten BTCUSDT in s1" })).toBeInTheDocument();
    trader.unmount();

    await renderAs("viewer", <TradingView />, TRADING_ROUTES);
    const seen = await screen.findByTestId("open-orders");
    await within(seen).findByText("op-1-0");
    expect(await within(screen.getByTestId("positions")).findByText("BTCUSDT")).toBeInTheDocument();
    expect(screen.queryByTestId("order-ticket")).toBeNull();
    expect(screen.queryByRole("button", { name: "Place order" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /Flatten/ })).toBeNull();
    expect(screen.queryByRole("button", { name: /Start paper session|Stop session/ })).toBeNull();
  });

  it("an auditor sees no order controls either", async () => {
    await renderAs("auditor", <TradingView />, TRADING_ROUTES);
    await within(await screen.findByTestId("open-orders")).findByText("op-1-0");
    expect(screen.queryByRole("button", { name: "Place order" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
  });

  it("places an order only after the confirmation, and shows the risk answer", async () => {
    const placed = {
      client_id: "op-9-0", session: "s1", symbol: "BTCUSDT", side: "sell", type: "limit",
      qty: "0.01", price: "45000", stop_price: null, risk: "approved",
    };
    const { calls } = await renderAs("trader", <TradingView />, { ...TRADING_ROUTES, "POST /api/v1/orders": [201, placed] });
    const user = userEvent.setup();
    const ticket = await screen.findByTestId("order-ticket");
    await within(ticket).findByRole("option", { name: "s1 (paper)" });
    expect(within(ticket).getByLabelText("Symbol")).toHaveValue("BTCUSDT");
    await user.selectOptions(within(ticket).getByLabelText("Side"), "sell");
    await user.selectOptions(within(ticket).getByLabelText("Type"), "limit");
    await fill(user, within(ticket).getByLabelText("Quantity"), "0.01");
    await fill(user, within(ticket).getByLabelText("Price"), "45000");
    await user.click(within(ticket).getByRole("button", { name: "Place order" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Sell 0.01 BTCUSDT limit at 45000, in session s1.");
    expect(apiCalls(calls, "POST")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    expect(await screen.findByText(/Order op-9-0 placed .*risk: approved/)).toBeInTheDocument();
    expect(apiCalls(calls, "POST").map((c) => c.body)).toEqual([
      { session: "s1", symbol: "BTCUSDT", side: "sell", type: "limit", qty: "0.01", price: "45000" },
    ]);
  });

  it("shows the risk gate's refusal and sends nothing when Back is chosen", async () => {
    const { calls } = await renderAs("trader", <TradingView />, {
      ...TRADING_ROUTES,
      "POST /api/v1/orders": [422, { error: "risk_refused", message: "max_position_size 1000 exceeded" }],
    });
    const user = userEvent.setup();
    const ticket = await screen.findByTestId("order-ticket");
    await within(ticket).findByRole("option", { name: "s1 (paper)" });
    await fill(user, within(ticket).getByLabelText("Quantity"), "5");
    await user.click(within(ticket).getByRole("button", { name: "Place order" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Back" }));
    expect(apiCalls(calls, "POST")).toHaveLength(0);
    await user.click(within(ticket).getByRole("button", { name: "Place order" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Confirm" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Refused by the risk gate: max_position_size 1000 exceeded");
    expect(apiCalls(calls, "POST")).toHaveLength(1);
  });

  it("says what is wrong with the ticket before asking", async () => {
    await renderAs("trader", <TradingView />, TRADING_ROUTES);
    const user = userEvent.setup();
    const ticket = await screen.findByTestId("order-ticket");
    await within(ticket).findByRole("option", { name: "s1 (paper)" });
    await user.selectOptions(within(ticket).getByLabelText("Type"), "stop");
    await fill(user, within(ticket).getByLabelText("Quantity"), "1");
    await user.click(within(ticket).getByRole("button", { name: "Place order" }));
    expect(await within(ticket).findByRole("alert")).toHaveTextContent("Stop price");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("cancels an order with DELETE only after the confirmation", async () => {
    const { calls } = await renderAs("trader", <TradingView />, { ...TRADING_ROUTES, "DELETE /api/v1/orders/op-1-0": [204, null] });
    const user = userEvent.setup();
    const orders = await screen.findByTestId("open-orders");
    await user.click(await within(orders).findByRole("button", { name: /Cancel order op-1-0/ }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("op-1-0");
    expect(apiCalls(calls, "DELETE")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await vi.waitFor(() => expect(apiCalls(calls, "DELETE").map((c) => c.url)).toEqual(["/api/v1/orders/op-1-0"]));
  });

  it("adds, updates and removes order rows from the orders and fills topics", async () => {
    const { socket } = await renderAs("viewer", <TradingView />, TRADING_ROUTES);
    const orders = await screen.findByTestId("open-orders");
    await within(orders).findByText("op-1-0");
    expect(socket.subscribed()).toEqual(expect.arrayContaining(["orders", "fills", "positions", "system"]));
    // Setups: the snapshot's label, and the model's {pattern, timeframe} on an order_submitted event.
    expect(within(orders).getByRole("columnheader", { name: "Setup" })).toBeInTheDocument();
    expect(orders.querySelector('[data-order-id="op-1-0"]')).toHaveTextContent("fvg_retest:1h");
    const order = { ...ORDER.order, client_id: "smacross-2-0", qty: "0.3", kind: { type: "market" } };
    socket.push("orders", { session: "s1", event: { type: "order_submitted", time: 1, order, setup: { pattern: "sma_cross", timeframe: "1m" } } });
    const row = () => orders.querySelector('[data-order-id="smacross-2-0"]') as HTMLElement;
    expect(row()).toHaveTextContent("Submitted");
    expect(row()).toHaveTextContent("sma_cross:1m");
    socket.push("orders", { session: "s1", event: { type: "order_accepted", time: 2, client_id: "smacross-2-0", eligible_at: 2 } });
    expect(row()).toHaveTextContent("Open");
    socket.push("fills", { session: "s1", event: { type: "fill", client_id: "smacross-2-0", qty: "0.1", price: "43000", side: "buy", trade_id: "t9", instrument: "binance:BTCUSDT", fee: "0.1", liquidity: "taker", time: 3, setup: "sma_cross:1m" } });
    expect(row()).toHaveTextContent("0.1");
    const fills = screen.getByTestId("fills");
    expect(within(fills).getByRole("columnheader", { name: "Setup" })).toBeInTheDocument();
    expect(within(fills).getByText("43,000.00").closest("tr")).toHaveTextContent("sma_cross:1m");
    expect(within(fills).getByText("43,563.20").closest("tr")).toHaveTextContent("sma_cross");
    socket.push("orders", { session: "s1", event: { type: "order_cancelled", time: 4, client_id: "op-1-0", reason: "by operator" } });
    expect(within(orders).queryByText("op-1-0")).toBeNull();
  });

  it("follows positions and equity from the positions topic", async () => {
    const { socket } = await renderAs("viewer", <TradingView />, TRADING_ROUTES);
    const positions = await screen.findByTestId("positions");
    await within(positions).findByText("BTCUSDT");
    const equity = screen.getByTestId("equity");
    expect(within(equity).getByLabelText("Equity")).toHaveTextContent("10,012.50");
    socket.push("positions", { session: "s1", event: { type: "equity_mark", time: 5, cash: "9000", equity: "9990.25" } });
    expect(within(equity).getByLabelText("Equity")).toHaveTextContent("9,990.25");
    expect(within(equity).getByLabelText("P&L since start")).toHaveTextContent("-9.75");
    expect(within(equity).getByLabelText("Today's P&L")).toHaveTextContent("-9.75");
    socket.push("positions", { session: "s1", event: { type: "position_changed", time: 6, instrument: "binance:BTCUSDT", qty: "0", avg_price: "0", realized_pnl: "1" } });
    expect(within(positions).queryByText("BTCUSDT")).toBeNull();
    expect(within(positions).getByText("No open positions.")).toBeInTheDocument();
  });

  it("shows today's P&L from the server's today_pnl, summed over sessions, and follows its marks", async () => {
    const yesterday = Date.now() - 2 * 86_400_000;
    const s2 = { ...PNL_BY_DAY, session: "s2", today_pnl: "0.1", pnl: "-3" };
    const { socket } = await renderAs("viewer", <TradingView />, {
      ...TRADING_ROUTES,
      "GET /api/v1/sessions": [{ ...SESSION, started_at: yesterday }, { ...SESSION, id: "s2", started_at: yesterday }],
      "GET /api/v1/pnl": [PNL_BY_DAY, s2],
    });
    const equity = await screen.findByTestId("equity");
    const today = await within(equity).findByLabelText("Today's P&L");
    // Sessions started before today: an older server's fallback would show "—"; P&L since start is 9.50.
    await vi.waitFor(() => expect(today).toHaveTextContent("-87.40"));
    expect(within(equity).getByLabelText("P&L since start")).toHaveTextContent("9.50");
    expect(equity).toHaveTextContent("since each session's UTC day began, by its candles' clock");
    expect(within(equity).getByRole("columnheader", { name: "Today's P&L" })).toBeInTheDocument();
    const t0 = Date.UTC(2026, 11, 6, 23, 59);
    socket.push("positions", { session: "s1", event: { type: "equity_mark", time: t0, cash: "0", equity: "10050" } });
    expect(today).toHaveTextContent("-49.90");
    socket.push("positions", { session: "s1", event: { type: "equity_mark", time: t0 + 60_000, cash: "0", equity: "10060" } });
    expect(today).toHaveTextContent("10.10");
  });

  it("starts a paper session against a named venue", async () => {
    const { calls } = await renderAs("admin", <TradingView />, { ...TRADING_ROUTES, "POST /api/v1/sessions": [201, { id: "s2" }] });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Start paper session" }));
    const dialog = await screen.findByRole("dialog");
    await fill(user, within(dialog).getByLabelText("Symbols"), "btcusdt");
    await user.selectOptions(within(dialog).getByLabelText("Strategy"), "sma_cross");
    await fill(user, within(dialog).getByLabelText("Timeframe"), "1m");
    await fill(user, within(dialog).getByLabelText("Venue URL"), "127.0.0.1:9100");
    await fill(user, within(dialog).getByLabelText("Max bars"), "50");
    await user.click(within(dialog).getByRole("button", { name: "Start" }));
    await vi.waitFor(() =>
      expect(apiCalls(calls, "POST").map((c) => c.body)).toEqual([
        { mode: "paper", symbols: ["BTCUSDT"], strategy: "sma_cross", timeframes: ["1m"], venue_urls: { binance: "127.0.0.1:9100" }, max_bars: 50 },
      ]),
    );
  });

  it("starts a paper session on Bybit with its own venue address", async () => {
    const { calls } = await renderAs("admin", <TradingView />, { ...TRADING_ROUTES, "POST /api/v1/sessions": [201, { id: "s3" }] });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Start paper session" }));
    const dialog = await screen.findByRole("dialog");
    await user.selectOptions(within(dialog).getByLabelText("Exchange"), "bybit");
    await fill(user, within(dialog).getByLabelText("Venue URL"), "127.0.0.1:9200");
    await user.click(within(dialog).getByRole("button", { name: "Start" }));
    await vi.waitFor(() =>
      expect(apiCalls(calls, "POST").map((c) => c.body)).toEqual([{ mode: "paper", venue: "bybit", venue_urls: { bybit: "127.0.0.1:9200" } }]),
    );
  });
});
