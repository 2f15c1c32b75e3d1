// The PWA: the page links a manifest Chromium accepts (standalone, icons
// that load), the service worker takes control, and with the network gone
// a reload still opens the dashboard's shell, which says it is offline.

import { check, same } from "../runner.mjs";

export const installableOfflineShell = {
  name: "pwa: manifest and icons, service worker in control, the shell opens offline",
  timeoutMs: 60_000,
  async run(ctx) {
    const { context, page } = await ctx.open(undefined, { serviceWorkers: "allow" });
    await page.goto("/");
    await page.getByLabel("Username").waitFor();
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    same(href, "/manifest.webmanifest", "the manifest link");
    const manifest = await (await page.request.get(href)).json();
    same(manifest.display, "standalone", "manifest display");
    check(manifest.start_url.startsWith("/"), `start_url ${manifest.start_url}`);
    for (const icon of manifest.icons) {
      const r = await page.request.get(icon.src);
      same(r.status(), 200, `icon ${icon.src}`);
      same(r.headers()["content-type"], icon.type, `icon ${icon.src} type`);
    }
    check(
      manifest.icons.some((i) => i.sizes === "512x512") && manifest.icons.some((i) => i.sizes === "192x192"),
      "192 and 512 px icons (installability)",
    );
    // The worker installs (caching the shell and its assets), then controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    check(controlled, "the service worker controls the page after a reload");

    await context.setOffline(true);
    await page.reload();
    await page.getByLabel("Username").waitFor({ timeout: 10_000 });
    await page.getByText("You are offline").waitFor({ timeout: 5_000 });
    check(await page.getByRole("button", { name: "Sign in" }).isVisible(), "the offline shell shows the sign-in form");
    await context.setOffline(false);
  },
};
