import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import SystemView from "../SystemView";
import { SESSION } from "../trading/fixtures";
import { apiCalls, renderAs } from "../../test/signedIn";
import { duration, usAsMs } from "./show";
import type { SystemInfo } from "./types";

afterEach(() => vi.unstubAllGlobals());

const SYSTEM: SystemInfo = {
  version: "0.1.0",
  git: { commit: "abc1234" },
  rustc: "rustc 1.92.0",
  time: 1_796_569_022_300,
  uptime_seconds: 3_725,
  memory_rss_bytes: 52_428_800,
  api_latency_ms: { p50: 0.42, p95: 3.5, p99: 12.25, count: 812 },
  ws_clients: 2,
  sessions: [
    {
      id: "s1", state: "running", mode: "paper", connected: true, market_stream: "connected", user_stream: null,
      reconnects: 1, last_candle_time: 1_796_588_340_000, candle_to_order_us: { p50: 850, p99: 2_400, count: 40 },
    },
  ],
};

const STATUS = { version: "0.1.0", time: 1, uptime_seconds: 3_725, sessions: { running: 1, ready: 1, stopped: 0, failed: 0 }, backtests_running: 0 };

const PROBES = {
  "GET /healthz": "ok",
  "GET /readyz": { ready: true, store: true, disconnected_sessions: [] },
};

describe("SystemView", { timeout: 20_000 }, () => {
  it("renders health, versions, memory, API and candle-to-order latency", async () => {
    await renderAs("viewer", <SystemView />, { "GET /api/v1/system": SYSTEM, "GET /api/v1/status": STATUS, ...PROBES });
    const process = screen.getByTestId("process");
    expect(await within(process).findByLabelText("API latency p50")).toHaveTextContent("0.42 ms");
    expect(within(process).getByLabelText("API latency p99")).toHaveTextContent("12.3 ms");
    expect(within(process).getByLabelText("Memory (resident)")).toHaveTextContent("50.0 MiB");
    expect(within(process).getByLabelText("WebSocket clients")).toHaveTextContent("2");
    const venues = screen.getByTestId("venue-connections");
    const row = venues.querySelector('[data-session-id="s1"]') as HTMLElement;
    expect(row).toHaveTextContent("0.85 ms");
    expect(row).toHaveTextContent("2.40 ms");
    expect(row).toHaveTextContent("Connected");
    const versions = screen.getByTestId("versions");
    expect(within(versions).getByLabelText("Commit")).toHaveTextContent("abc1234");
    expect(within(versions).getByLabelText("Uptime")).toHaveTextContent("1 h 2 min");
    const health = screen.getByTestId("health");
    expect(await within(health).findByLabelText("Ready")).toHaveTextContent("Ready");
    expect(within(health).getByLabelText("Alive")).toHaveTextContent("Yes (ok)");
    expect(within(health).getByLabelText("Live stream")).toHaveTextContent("Connected");
  });

  it("follows the system topic's snapshots without polling", async () => {
    const { socket, calls } = await renderAs("viewer", <SystemView />, { "GET /api/v1/system": SYSTEM, "GET /api/v1/status": STATUS, ...PROBES });
    const process = screen.getByTestId("process");
    await within(process).findByText("0.42 ms");
    expect(socket.subscribed()).toContain("system");
    const { version: _v, git: _g, rustc: _r, ...status } = SYSTEM;
    socket.push("system", {
      type: "snapshot",
      ...status,
      api_latency_ms: { p50: 1.5, p95: 4, p99: 250, count: 900 },
      sessions: [{ ...SYSTEM.sessions[0]!, reconnects: 3, candle_to_order_us: { p50: 1_200, p99: 9_000, count: 41 } }],
    });
    expect(within(process).getByLabelText("API latency p50")).toHaveTextContent("1.50 ms");
    expect(within(process).getByLabelText("API latency p99")).toHaveTextContent("250 ms");
    expect(screen.getByTestId("venue-connections")).toHaveTextContent("9.00 ms");
    const gets = apiCalls(calls, "GET").length;
    await new Promise((r) => setTimeout(r, 50));
    expect(apiCalls(calls, "GET").length).toBe(gets);
  });

  it("degrades to /status and /sessions on a server without GET /system", async () => {
    await renderAs("viewer", <SystemView />, {
      "GET /api/v1/status": STATUS,
      "GET /api/v1/sessions": [SESSION],
      "GET /healthz": "ok",
      "GET /readyz": [503, { ready: false, store: true, disconnected_sessions: ["s1"] }],
    });
    expect(await screen.findByText(/no GET \/api\/v1\/system/)).toBeInTheDocument();
    expect(within(screen.getByTestId("versions")).getByLabelText("Version")).toHaveTextContent("0.1.0");
    expect(await within(screen.getByTestId("health")).findByLabelText("Ready")).toHaveTextContent("Not ready: s1 not connected");
    const row = await within(screen.getByTestId("venue-connections")).findByText("s1");
    expect(row.closest("tr")).toHaveTextContent("Connected");
    expect(within(screen.getByTestId("process")).getByLabelText("API latency p50")).toHaveTextContent("—");
  });

  it("formats durations and microseconds", () => {
    expect(duration(59)).toBe("0 min 59 s");
    expect(duration(90_061)).toBe("1 d 1 h 1 min");
    expect(usAsMs(125_000)).toBe("125 ms");
    expect(usAsMs(null)).toBe("—");
  });
});
