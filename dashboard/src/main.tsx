// Entry point: mounts the dashboard and registers the service worker that
// keeps the shell available offline.

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AuthSession } from "./auth/session";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App session={new AuthSession()} />
    </StrictMode>,
  );
}

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // No offline shell (e.g. plain HTTP on a non-local host): the
      // dashboard works the same online.
    });
  });
}
