import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import AnalyticsView from "../AnalyticsView";
import { curveOf } from "./curve";
import { byYear } from "./MonthlyTable";
import { reply } from "../../test/http";
import { renderAs } from "../../test/signedIn";
import type { Job } from "./types";

const drawn: { title: string; points: number }[] = [];
vi.mock("lightweight-charts", () => {
  const series = (title: string) => ({ setData: (d: unknown[]) => drawn.push({ title, points: d.length }) });
  return {
    ColorType: { Solid: "solid" },
    LineType: { Simple: 0, WithSteps: 1 },
    AreaSeries: "Area",
    createChart: () => ({
      addSeries: (_kind: string, options: { title: string }) => series(options.title),
      panes: () => [{ setHeight: () => undefined }, { setHeight: () => undefined }],
      timeScale: () => ({ fitContent: () => undefined }),
      remove: () => undefined,
    }),
  };
});

const result = {
  bars: 4366,
  starting_cash: "10000",
  final_equity: "9795.15",
  fees: "77.87",
  metrics: { total_return: -0.0204848, sharpe: -2.4511, trades: 39, win_rate: 0.1794, var_95: 0.0, brand_new: 7 },
  monthly_returns: [
    { year: 2021, month: 1, return: -0.0016 },
    { year: 2021, month: 2, return: 0.05 },
    { year: 2022, month: 12, return: -0.01 },
  ],
  setups: [{ setup: "fvg_retest:1h", trades: 21, win_rate: 0.0952, avg_pnl: -5.4, total_pnl: -113.78, profit_factor: 0.0224 }],
  trades: [
    { entry_time: 1611928000000, exit_time: 1611928800000, entry_price: "1", exit_price: "1", pnl: "-16.39", fees: "1", setup: "fvg_retest", side: "long", size: "1" },
    { entry_time: 1612339000000, exit_time: 1612339200000, entry_price: "1", exit_price: "1", pnl: "40", fees: "1", setup: "ob_retest", side: "long", size: "1" },
  ],
};

beforeEach(() => {
  sessionStorage.clear();
  drawn.length = 0;
});
afterEach(() => vi.unstubAllGlobals());

// Whole views render in jsdom: slow on a small, busy machine.
describe("AnalyticsView", { timeout: 30_000 }, () => {
  it("submits a backtest, moves the progress bar from the stream and shows the finished job", async () => {
    let done = false;
    const { calls, socket } = await renderAs("trader", <AnalyticsView />, (call) => {
      if (call.method === "POST" && call.path === "/backtests") return reply(201, { id: "job1" });
      if (call.path === "/backtests/job1") {
        const job: Job = done
          ? { id: "job1", state: "done", progress: 1, result, error: null, created_at: 1 }
          : { id: "job1", state: "queued", progress: 0, result: null, error: null, created_at: 1 };
        return reply(200, job);
      }
      return undefined;
    });
    const user = userEvent.setup();
    const file = screen.getByLabelText(/Data file/);
    await user.clear(file);
    await user.type(file, "binance-usdm/BTCUSDT-5m.csv");
    await user.click(screen.getByRole("button", { name: "Run backtest" }));

    const bar = await screen.findByRole("progressbar", { name: "Backtest job1 progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "0");
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toEqual({ input: "binance-usdm/BTCUSDT-5m.csv", strategy: "smc", timeframes: ["1h", "4h"], cash: "10000", fee: "0.001" });
    expect(JSON.parse(sessionStorage.getItem("smc.backtests") ?? "[]")[0].id).toBe("job1");
    expect(socket.sent()).toContainEqual({ op: "subscribe", topics: ["backtests"] });

    socket.push("backtests", { id: "job1", state: "running", progress: 0.42, error: null });
    expect(bar).toHaveAttribute("aria-valuenow", "42");
    socket.push("backtests", { id: "other", state: "running", progress: 0.9, error: null });
    expect(bar).toHaveAttribute("aria-valuenow", "42");

    done = true;
    socket.push("backtests", { id: "job1", state: "done", progress: 1, error: null });
    const metrics = await screen.findByRole("table", { name: "Metrics" });
    expect(within(metrics).getByRole("row", { name: /Total return/ })).toHaveTextContent("-2.05 %");
    expect(within(metrics).getByRole("row", { name: /Trades/ })).toHaveTextContent("39");
    expect(within(metrics).getByRole("row", { name: /brand_new/ })).toHaveTextContent("7");
    const monthly = screen.getByRole("table", { name: "Monthly returns" });
    expect(within(monthly).getByRole("row", { name: /2021/ })).toHaveTextContent("5.0 %");
    expect(within(monthly).getByRole("row", { name: /2022/ })).toHaveTextContent("-1.0 %");
    expect(within(screen.getByRole("table", { name: "Setups" })).getByRole("row", { name: /fvg_retest:1h/ })).toHaveTextContent("-113.78");
    expect(screen.getByText(/Equity \(stepped, from closed trades\)/)).toHaveTextContent("this server sends no bar-by-bar equity curve");
    await vi.waitFor(() => expect(drawn.map((d) => d.title)).toEqual(["Equity (stepped, from closed trades)", "Drawdown %"]));
  });

  it("reopens this browser's jobs after a reload and draws the server's equity curve", async () => {
    sessionStorage.setItem("smc.backtests", JSON.stringify([{ id: "old", input: "oanda/EURUSD-1d.csv", strategy: "smc", submitted_at: 5 }]));
    const equity = [
      { time: 1000, equity: "100" },
      { time: 2000, equity: "120" },
      { time: 3000, equity: "90" },
    ];
    const done = { id: "old", state: "done", progress: 1, result, error: null, created_at: 1, equity };
    await renderAs("viewer", <AnalyticsView />, (call) => (call.path === "/backtests/old" ? reply(200, done) : undefined));
    expect(await screen.findByRole("table", { name: "Metrics" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Run backtest" })).toBeNull();
    expect(screen.getByRole("img", { name: "Equity and drawdown chart" })).toBeInTheDocument();
    // The server's curve: no fallback note.
    expect(screen.queryByText(/stepped|bar-by-bar/)).toBeNull();
    await vi.waitFor(() => expect(drawn).toEqual([{ title: "Equity", points: 3 }, { title: "Drawdown %", points: 3 }]));
  });
});

describe("curve and monthly helpers", () => {
  it("derives drawdown from the equity curve and steps through trades without one", () => {
    const sampled = curveOf({ id: "a", state: "done", progress: 1, result: null, error: null, created_at: 0, equity: [
      { time: 1000, equity: "100" }, { time: 2000, equity: "120" }, { time: 3000, equity: "90" },
    ] });
    expect(sampled?.drawdown.map((p) => Math.round(p.value))).toEqual([0, 0, -25]);
    const stepped = curveOf({ id: "b", state: "done", progress: 1, result, error: null, created_at: 0 });
    expect(stepped?.stepped).toBe(true);
    expect(stepped?.equity.map((p) => p.value)).toEqual([10000, 10000 - 16.39, 10000 - 16.39 + 40]);
  });

  it("compounds a year's months", () => {
    const [y] = byYear([{ year: 2020, month: 1, return: 0.1 }, { year: 2020, month: 2, return: 0.1 }]);
    expect(y?.total).toBeCloseTo(0.21);
    expect(y?.months.slice(0, 3)).toEqual([0.1, 0.1, null]);
  });
});
