// The dashboard's service worker: an offline shell. The app's own files
// (HTML, scripts, styles, icons) are cached so the dashboard opens without
// a network and says the server cannot be reached; the API and the live
// stream are never cached (stale prices are worse than none).
const CACHE = "smc-shell-v1";
const SHELL = ["/", "/manifest.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png"];

// The page's own scripts and styles, named in index.html (hashed by the
// build), so the shell starts offline after one visit.
async function shellWithAssets() {
  const html = await (await fetch("/", { cache: "no-store" })).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  return [...SHELL, ...assets];
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    shellWithAssets()
      .then((urls) => caches.open(CACHE).then((cache) => cache.addAll(urls)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/metrics" || url.pathname === "/healthz" || url.pathname === "/readyz") return;
  if (request.mode === "navigate") {
    // Pages: the network first (a new build), the cached shell offline.
    event.respondWith(fetch(request).catch(() => caches.match("/")));
    return;
  }
  // Hashed assets never change: the cache first, filled on first use.
  event.respondWith(
    caches.match(request).then(
      (hit) =>
        hit ||
        fetch(request).then((response) => {
          if (response.ok && url.pathname.startsWith("/assets/")) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});
