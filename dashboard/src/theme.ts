// Dark and light themes (dark by default, as traders' screens are), with
// contrast checked against WCAG AA for text on the paper colours.

import { createTheme, type Theme } from "@mui/material/styles";

export type Mode = "dark" | "light";

export function themeFor(mode: Mode): Theme {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === "dark" ? "#7cb7ff" : "#0b5cad" },
      success: { main: mode === "dark" ? "#4cc38a" : "#1b7f4d" },
      error: { main: mode === "dark" ? "#ff7b72" : "#b42318" },
      // MUI's default orange reads 2.9:1 on white; this one 4.9:1 (AA).
      warning: { main: mode === "dark" ? "#e3b341" : "#9a6700" },
      background: mode === "dark" ? { default: "#0d1117", paper: "#161b22" } : { default: "#f6f8fa", paper: "#ffffff" },
    },
    shape: { borderRadius: 6 },
    typography: { fontSize: 14 },
    components: {
      MuiTableCell: { styleOverrides: { root: { fontVariantNumeric: "tabular-nums" } } },
    },
  });
}

const KEY = "smc.theme";

export function savedMode(): Mode {
  const stored = globalThis.localStorage?.getItem(KEY);
  if (stored === "dark" || stored === "light") return stored;
  return globalThis.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

export function saveMode(mode: Mode): void {
  globalThis.localStorage?.setItem(KEY, mode);
}
