// Accessibility in a real browser: axe-core (the rules WCAG 2.1 AA tools
// share: labels, names, roles, contrast…) on every view in both themes,
// with no serious or critical violation; and the keyboard alone reaches
// the navigation and opens a view.

import { createRequire } from "node:module";
import { ADMIN_PASSWORD } from "../servers.mjs";
import { openView, signIn, VIEW_LABELS } from "../browser.mjs";
import { check } from "../runner.mjs";
import { settle } from "./phone.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Serious and critical violations on the page, as readable lines. */
async function violations(page) {
  // Colours are judged at rest, not halfway through a button's transition.
  await page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; animation: none !important; }" });
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(" ")} ${v.nodes[0]?.html.slice(0, 160)} ${v.nodes[0]?.failureSummary?.replace(/\s+/g, " ").slice(0, 200)}`);
}

export const accessibility = {
  name: "accessibility: axe finds no serious violation on any view in either theme; the keyboard opens views",
  timeoutMs: 120_000,
  async run(ctx) {
    // axe is injected as a script: the page's CSP (script-src 'self') would refuse it.
    const { page } = await ctx.open(undefined, { bypassCSP: true });
    await page.goto("/");
    const found = (await violations(page)).map((v) => `sign-in: ${v}`);
    await signIn(page, "admin", ADMIN_PASSWORD, "/trading");
    const toggle = page.getByRole("button", { name: /^Switch to (light|dark) theme$/ });
    const themes = [];
    for (let pass = 0; pass < 2; pass++) {
      if (pass === 1) await toggle.click();
      // The button offers the other theme: "Switch to light theme" means dark is on.
      const theme = (await toggle.getAttribute("aria-label"))?.includes("light") ? "dark" : "light";
      themes.push(theme);
      for (const label of VIEW_LABELS) {
        await openView(page, label);
        await settle(page);
        for (const v of await violations(page)) found.push(`${theme} ${label}: ${v}`);
      }
    }
    check(themes.includes("dark") && themes.includes("light"), `themes checked: ${themes.join(", ")}`);
    check(found.length === 0, `axe violations:\n       ${found.join("\n       ")}`);

    // Keyboard only: Tab until the Risk link has focus, Enter opens it.
    await openView(page, "Trading");
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Risk");
    }
    check(reached, "Tab reaches the Risk link of the navigation");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/risk$/);
    check(await page.getByRole("link", { name: "Risk" }).getAttribute("aria-current") === "page", "Risk is the current page");
  },
};
