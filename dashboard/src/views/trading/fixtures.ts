// Answers of a server with one running paper session, for the view tests
// (PNL as an older server gave it; PNL_BY_DAY with today's P&L and drawdown).

import type { FillRow, OpenOrderRow, PnlRow, PositionRow, SessionInfo } from "./types";

export const SESSION: SessionInfo = {
  id: "s1",
  state: "running",
  mode: "paper",
  request: {
    mode: "paper",
    strategy: "sma_cross",
    symbols: ["BTCUSDT"],
    timeframes: ["1m"],
    venue_urls: { binance: "127.0.0.1:9100" },
    market: null,
    confirm_live: false,
    max_bars: null,
  },
  error: null,
  started_at: Date.now() - 60_000,
  connected: true,
  equity: "10012.5",
  orders_sent: 3,
};

export const ORDER: OpenOrderRow = {
  session: "s1",
  order: {
    client_id: "op-1-0",
    instrument: "binance:BTCUSDT",
    side: "buy",
    qty: "0.5",
    kind: { type: "limit", price: "40000" },
    time_in_force: "gtc",
    reduce_only: false,
  },
  status: "accepted",
  filled_qty: "0",
  setup: "fvg_retest:1h",
};

export const POSITION: PositionRow = {
  session: "s1",
  instrument: "binance:BTCUSDT",
  qty: "0.022",
  avg_price: "43563.2",
  realized_pnl: "-2.2528",
  time: 1_796_588_340_000,
};

export const FILL: FillRow = {
  session: "s1",
  client_id: "smacross-1-0",
  instrument: "binance:BTCUSDT",
  trade_id: "sim-1",
  side: "buy",
  price: "43563.2",
  qty: "0.022",
  fee: "0.9583904",
  liquidity: "taker",
  time: 1_796_588_340_000,
  setup: "sma_cross",
};

export const PNL: PnlRow = {
  session: "s1",
  cash: "9054.1",
  equity: "10012.5",
  starting_equity: "10000",
  pnl: "12.5",
  realized_pnl: "-2.2528",
};

/** A session's P&L from a server that also sends the day's start and the peak (its clock crossed a UTC day). */
export const PNL_BY_DAY: PnlRow = {
  ...PNL,
  day_start_equity: "10100",
  today_pnl: "-87.5",
  peak_equity: "10200",
  drawdown: "0.01838235",
};

export const TRADING_ROUTES = {
  "GET /api/v1/sessions": [SESSION],
  "GET /api/v1/orders": [ORDER],
  "GET /api/v1/positions": [POSITION],
  "GET /api/v1/trades": [FILL],
  "GET /api/v1/pnl": [PNL],
};
