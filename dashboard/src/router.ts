// A small path router: each view has a path; the server answers index.html
// for any of them, so a reload or a shared link opens the same view.

import { useEffect, useState } from "react";

export const VIEWS = [
  { label: "Trading", path: "/trading" },
  { label: "Chart", path: "/chart" },
  { label: "Risk", path: "/risk" },
  { label: "System", path: "/system" },
  { label: "Analytics", path: "/analytics" },
  { label: "Settings", path: "/settings" },
  { label: "Audit", path: "/audit" },
] as const;

export type ViewLabel = (typeof VIEWS)[number]["label"];

export function viewOf(pathname: string): ViewLabel {
  const found = VIEWS.find((v) => pathname === v.path || pathname.startsWith(`${v.path}/`));
  return found ? found.label : "Trading";
}

const NAVIGATE = "smc:navigate";

export function navigate(path: string): void {
  if (window.location.pathname + window.location.search === path) return;
  window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current path and query, following pushState and the back button. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const read = () => ({ pathname: window.location.pathname, search: new URLSearchParams(window.location.search) });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return location;
}
