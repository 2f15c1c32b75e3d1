// The scenarios in the order they run: the chart's empty state needs a
// server with no session yet; reconnection restarts smc serve, so it is last.

import { chartEmpty, chartOverlays } from "./chart.mjs";
import { loginWithTotp } from "./login.mjs";
import { startAndTrade } from "./trading.mjs";

export const SCENARIOS = [loginWithTotp, chartEmpty, startAndTrade, chartOverlays];
