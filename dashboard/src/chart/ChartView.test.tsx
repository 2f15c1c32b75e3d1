import { ThemeProvider } from "@mui/material/styles";
import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveProvider } from "../live/LiveContext";
import { fakeLive } from "../test/fakeSocket";
import { reply } from "../test/http";
import { themeFor } from "../theme";
import ChartView from "../views/ChartView";
import { candles, served, trades } from "./fixtures";
import type { PriceChartProps } from "./PriceChart";

// The canvas chart needs a real browser (the end-to-end suite and the bench
// draw it); here a stand-in shows what it was given.
vi.mock("./PriceChart", () => ({
  default: (p: PriceChartProps) => (
    <div data-testid="price-chart" aria-label={p.label} data-bars={p.bars.length} data-markers={p.markers.length} />
  ),
}));

const SESSION = "s96fde3ccdf1a5c5a";
const sessionsBody = [
  { id: "default", state: "ready", started_at: null, request: { symbols: [], timeframes: [] } },
  { id: SESSION, state: "stopped", started_at: 1, request: { symbols: ["BTCUSDT"], timeframes: ["1m"] } },
];

let fresh = false;
const calls: string[] = [];

function serve(input: RequestInfo | URL): Promise<Response> {
  const url = String(input);
  calls.push(url);
  if (url.startsWith("/api/v1/sessions")) return Promise.resolve(reply(200, fresh ? sessionsBody.slice(0, 1) : sessionsBody));
  if (url.startsWith("/api/v1/candles")) {
    return Promise.resolve(
      fresh ? reply(404, { error: "not_found", message: "no session trades `BTCUSDT`" }) : reply(200, candles),
    );
  }
  if (url.startsWith("/api/v1/detections")) {
    return Promise.resolve(fresh ? reply(404, { error: "not_found", message: "no session trades `BTCUSDT`" }) : reply(200, served));
  }
  if (url.startsWith("/api/v1/trades")) return Promise.resolve(reply(200, fresh ? [] : trades));
  return Promise.resolve(reply(404, { error: "not_found", message: url }));
}

function mount() {
  const { live, sockets } = fakeLive({ url: () => "ws://test", minDelayMs: 5 });
  live.start();
  render(
    <ThemeProvider theme={themeFor("dark")}>
      <LiveProvider socket={live}>
        <ChartView />
      </LiveProvider>
    </ThemeProvider>,
  );
  return { live, sockets };
}

beforeEach(() => {
  calls.length = 0;
  vi.stubGlobal("fetch", vi.fn(serve));
});
afterEach(() => vi.unstubAllGlobals());

describe("ChartView", () => {
  it("draws an empty chart with a note on a fresh server", async () => {
    fresh = true;
    mount();
    expect(await screen.findByText(/No candles yet for BTCUSDT: start a paper session on the Trading view/)).toBeInTheDocument();
    expect(screen.getByTestId("price-chart")).toHaveAttribute("data-bars", "0");
    expect(screen.getByRole("combobox", { name: "Symbol" })).toHaveTextContent("BTCUSDT");
    expect(screen.getByRole("combobox", { name: "Timeframe" })).toHaveTextContent("1m");
    expect(screen.getByTestId("overlay-counts")).toHaveTextContent("order blocks: 0 · FVGs: 0");
  });

  it("draws the session's candles with overlays from its real detections and fills", async () => {
    fresh = false;
    mount();
    await waitFor(() => expect(screen.getByTestId("price-chart")).toHaveAttribute("data-bars", "600"));
    expect(screen.getByTestId("overlay-counts")).toHaveTextContent(
      "order blocks: 56 · FVGs: 139 · structure: 56 · liquidity: 12 · trades: 14",
    );
    expect(calls.some((u) => u.startsWith("/api/v1/candles?symbol=BTCUSDT&timeframe=1m&limit="))).toBe(true);
    expect(screen.queryByText(/No candles yet/)).toBeNull();
  });

  it("applies live candles and detections, and reloads on reconnect", async () => {
    fresh = false;
    const { sockets } = mount();
    await waitFor(() => expect(screen.getByTestId("price-chart")).toHaveAttribute("data-bars", "600"));
    const socket = sockets[0]!;
    act(() => socket.open());
    const last = candles[candles.length - 1]!;
    const next = { ...last, open_time: last.open_time + 60_000 };
    act(() => {
      socket.push("candles", { session: SESSION, event: { type: "candle", symbol: "BTCUSDT", timeframe: "1m", candle: next, candle_to_order_us: null } });
      socket.push("candles", { session: "other", event: { type: "candle", symbol: "BTCUSDT", timeframe: "1m", candle: { ...next, open_time: next.open_time + 60_000 }, candle_to_order_us: null } });
      socket.push("detections", {
        session: SESSION,
        symbol: "BTCUSDT",
        event: { timeframe: "1m", kind: "fvg", event: "formed", direction: 1, time: last.open_time, known_at: next.open_time + 60_000, top: 1, bottom: 0.5, id: 99_999 },
      });
    });
    await waitFor(() => expect(screen.getByTestId("price-chart")).toHaveAttribute("data-bars", "601"));
    expect(screen.getByTestId("overlay-counts")).toHaveTextContent("FVGs: 140");
    const loads = calls.filter((u) => u.startsWith("/api/v1/candles")).length;
    act(() => socket.close());
    await waitFor(() => expect(sockets.length).toBe(2));
    act(() => sockets[1]!.open());
    await waitFor(() => expect(calls.filter((u) => u.startsWith("/api/v1/candles")).length).toBeGreaterThan(loads));
    await waitFor(() => expect(screen.getByTestId("price-chart")).toHaveAttribute("data-bars", "600"));
  });
});
