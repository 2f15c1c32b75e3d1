// Scenario 5: the phone layout at 375×812. The navigation hides behind a
// menu button; every view opens from it and renders with no horizontal
// overflow of the page and the connection state in view. Signed in as the
// admin (every control shown); each view's screenshot is saved
// (phone-<view>.png).

import { join } from "node:path";
import { ADMIN_PASSWORD } from "../servers.mjs";
import { connectionBadge, navigation, openView, PHONE, shoot, signIn, VIEW_LABELS } from "../browser.mjs";
import { check, same } from "../runner.mjs";

export const phoneLayout = {
  name: "phone 375×812: navigation behind the menu, every view without horizontal overflow",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page, errors } = await ctx.open(PHONE);
    await signIn(page, "admin", ADMIN_PASSWORD, "/trading");
    const menu = page.getByRole("button", { name: "Open navigation" });
    check(await menu.isVisible(), "a menu button opens the navigation");
    check(!(await navigation(page).isVisible()), "the navigation is hidden until the menu opens it");
    const overflow = [];
    for (const label of VIEW_LABELS) {
      await openView(page, label, { phone: true });
      await navigation(page).waitFor({ state: "hidden" });
      await settle(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > PHONE.width) overflow.push(`${label}: ${width}px`);
      check(await connectionBadge(page).isVisible(), `the connection state is visible on ${label}`);
      same((await connectionBadge(page).innerText()).trim(), "Connected", `connection state on ${label}`);
      await shoot(page, join(ctx.shots, `phone-${label.toLowerCase()}.png`));
    }
    check(overflow.length === 0, `the page is wider than the phone on ${overflow.join(", ")}`);
    check(errors.length === 0, `page errors: ${errors.join(" | ")}`);
  },
};

/** Waits until the view's first data arrived (no progress spinner, fonts and images done). */
export async function settle(page) {
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.locator(".MuiCircularProgress-root").first().waitFor({ state: "detached", timeout: 5_000 }).catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
}
