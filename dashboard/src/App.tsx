// The dashboard: sign-in gate, the live stream for the signed-in user, the
// shell and the current view (each view loads as its own chunk).

import CircularProgress from "@mui/material/CircularProgress";
import CssBaseline from "@mui/material/CssBaseline";
import { ThemeProvider } from "@mui/material/styles";
import { lazy, Suspense, useEffect, useMemo, useState, type ComponentType, type LazyExoticComponent } from "react";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { LoginPage } from "./auth/LoginPage";
import type { AuthSession } from "./auth/session";
import { Shell } from "./layout/Shell";
import { LiveProvider } from "./live/LiveContext";
import { LiveSocket, streamUrl } from "./live/socket";
import { useLocation, viewOf, type ViewLabel } from "./router";
import { saveMode, savedMode, themeFor, type Mode } from "./theme";

const VIEWS: Record<ViewLabel, LazyExoticComponent<ComponentType>> = {
  Trading: lazy(() => import("./views/TradingView")),
  Chart: lazy(() => import("./views/ChartView")),
  Risk: lazy(() => import("./views/RiskView")),
  System: lazy(() => import("./views/SystemView")),
  Analytics: lazy(() => import("./views/AnalyticsView")),
  Settings: lazy(() => import("./views/SettingsView")),
  Audit: lazy(() => import("./views/AuditView")),
};

function Loading() {
  return <CircularProgress aria-label="Loading" sx={{ m: 4 }} />;
}

function SignedIn({ mode, onToggleMode }: { mode: Mode; onToggleMode: () => void }) {
  const { session } = useAuth();
  const socket = useMemo(
    () =>
      new LiveSocket({
        url: streamUrl,
        token: () => session.current()?.access ?? null,
        refresh: () => session.refresh(),
      }),
    [session],
  );
  useEffect(() => {
    socket.start();
    return () => socket.stop();
  }, [socket]);
  const { pathname } = useLocation();
  const current = viewOf(pathname);
  const View = VIEWS[current];
  return (
    <LiveProvider socket={socket}>
      <Shell current={current} mode={mode} onToggleMode={onToggleMode}>
        <Suspense fallback={<Loading />}>
          <View />
        </Suspense>
      </Shell>
    </LiveProvider>
  );
}

function Gate({ mode, onToggleMode }: { mode: Mode; onToggleMode: () => void }) {
  const { signed, restoring, session } = useAuth();
  if (restoring) return <Loading />;
  if (!signed) return <LoginPage session={session} />;
  return <SignedIn mode={mode} onToggleMode={onToggleMode} />;
}

export function App({ session }: { session: AuthSession }) {
  const [mode, setMode] = useState<Mode>(savedMode);
  const theme = useMemo(() => themeFor(mode), [mode]);
  const toggle = () =>
    setMode((m) => {
      const next = m === "dark" ? "light" : "dark";
      saveMode(next);
      return next;
    });
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <AuthProvider session={session}>
        <Gate mode={mode} onToggleMode={toggle} />
      </AuthProvider>
    </ThemeProvider>
  );
}
