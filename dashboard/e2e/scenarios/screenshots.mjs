// Each of the seven views on a desktop (1280×800), signed in as the admin
// (who sees every control), while the paper session runs: each renders
// its panels without a page error; the screenshots are saved as
// desktop-<view>.png.

import { join } from "node:path";
import { ADMIN_PASSWORD } from "../servers.mjs";
import { openView, shoot, signIn, VIEW_LABELS } from "../browser.mjs";
import { check } from "../runner.mjs";
import { settle } from "./phone.mjs";

/** What shows a view has its data (when the paper session runs), before its screenshot. */
const READY = {
  Trading: (page) => page.getByTestId("sessions").locator("tr[data-session-id]").filter({ hasText: "running" }).first(),
  Chart: (page) => page.getByRole("img", { name: /: [1-9]\d* candles$/ }),
  Audit: (page) => page.getByTestId("audit-chain-status"),
};

export const desktopViews = {
  name: "desktop 1280×800: every view renders its panels (screenshots)",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page, errors } = await ctx.open();
    await signIn(page, "admin", ADMIN_PASSWORD, "/trading");
    const empty = [];
    for (const label of VIEW_LABELS) {
      await openView(page, label);
      if (READY[label] && ctx.state.session) await READY[label](page).waitFor();
      const t0 = Date.now();
      await settle(page);
      if (process.env.E2E_DEBUG) console.log(`     ${label}: settled in ${Date.now() - t0} ms`);
      const panels = await page.locator("main section h2").count();
      if (panels === 0) empty.push(label);
      await shoot(page, join(ctx.shots, `desktop-${label.toLowerCase()}.png`));
    }
    check(empty.length === 0, `views without a titled panel: ${empty.join(", ")}`);
    check(errors.length === 0, `page errors: ${errors.join(" | ")}`);
  },
};
