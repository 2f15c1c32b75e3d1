// The scenarios in the order they run: the chart's empty state needs a
// server with no session yet; the trading scenario starts the paper
// session the later ones use; reconnection restarts smc serve, so it is last.

import { accessibility } from "./accessibility.mjs";
import { analyticsBacktest } from "./analytics.mjs";
import { chartEmpty, chartOverlays } from "./chart.mjs";
import { loginWithTotp } from "./login.mjs";
import { phoneLayout } from "./phone.mjs";
import { installableOfflineShell } from "./pwa.mjs";
import { reconnect } from "./reconnect.mjs";
import { desktopViews } from "./screenshots.mjs";
import { startAndTrade } from "./trading.mjs";
import { viewerReadOnly } from "./viewer.mjs";

export const SCENARIOS = [loginWithTotp, chartEmpty, startAndTrade, chartOverlays, viewerReadOnly, desktopViews, analyticsBacktest, phoneLayout, installableOfflineShell, accessibility, reconnect];
