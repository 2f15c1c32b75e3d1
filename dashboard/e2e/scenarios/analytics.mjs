// The Analytics view end to end: a backtest submitted from its form (the
// bundled ETHUSDT hours, the smc strategy) moves through the backtests
// stream to `Done` and opens its report, whose bar and trade counts are
// GET /backtests/{id}'s; the equity chart and monthly returns are drawn.
// Its screenshot replaces the empty form's desktop-analytics.png.

import { join } from "node:path";
import { ADMIN_PASSWORD } from "../servers.mjs";
import { openView, shoot, signIn } from "../browser.mjs";
import { check, same } from "../runner.mjs";

/** The value cell of the Metrics table's row `label`. */
async function metric(page, label) {
  const row = page.getByRole("table", { name: "Metrics" }).getByRole("row").filter({ has: page.getByRole("rowheader", { name: label, exact: true }) });
  return (await row.getByRole("cell").last().innerText()).trim();
}

export const analyticsBacktest = {
  name: "analytics: a backtest submitted from the view runs to its report",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page } = await ctx.open();
    await signIn(page, "admin", ADMIN_PASSWORD, "/trading");
    await openView(page, "Analytics");
    await page.getByRole("button", { name: "Run backtest" }).click();
    const open = page.getByRole("button", { name: /^Open backtest / });
    await open.waitFor();
    const id = (await open.getAttribute("aria-label")).replace("Open backtest ", "");
    await page.getByRole("status").filter({ hasText: /^Done$/ }).waitFor({ timeout: 60_000 });
    const report = page.getByTestId("backtest-report");
    await report.waitFor();

    const admin = await ctx.api.token("admin", ADMIN_PASSWORD);
    const job = await ctx.api.ok("GET", `/backtests/${id}`, { token: admin });
    same(job.state, "done", `GET /backtests/${id} state`);
    same(await metric(page, "Bars"), String(job.result.bars), "bars in the report");
    same(await metric(page, "Trades"), String(job.result.metrics.trades), "trades in the report");
    check(job.result.metrics.trades > 0, "the backtest traded");
    await report.getByTestId("equity-chart").locator("canvas").first().waitFor();
    const months = await page.getByTestId("monthly-returns").locator("tbody tr").count();
    check(months > 0, "the monthly returns table has a year row");
    await shoot(page, join(ctx.shots, "desktop-analytics.png"));
  },
};
