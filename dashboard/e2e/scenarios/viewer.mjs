// Scenario 4: a viewer sees the Trading view's data but no order
// controls (no order ticket, no Place order, Cancel, Start, Stop or
// Flatten), though an open order and a running session are listed; the
// API refuses the viewer's POST /orders with 403 and places nothing.

import { PASSWORD } from "../api.mjs";
import { signIn } from "../browser.mjs";
import { check, Retry, retrying, same } from "../runner.mjs";
import { placeWhenReady, restingOrder, seeOrderRow } from "./trading.mjs";

export const viewerReadOnly = {
  name: "viewer: no order controls in the UI, POST /orders refused with 403",
  timeoutMs: 60_000,
  async run(ctx) {
    check(ctx.state.session, "needs the paper session of the trading scenario");
    const { page } = await ctx.open();
    const { users } = ctx.accounts;
    await signIn(page, users.viewer, PASSWORD, "/trading");
    check((await page.getByTestId("signed-in-user").innerText()).includes("viewer"), "signed in as a viewer");
    await page.getByTestId("sessions").locator(`tr[data-session-id="${ctx.state.session}"]`).filter({ hasText: "running" }).waitFor();

    // With an open order in view (one a trader could cancel; the strategy
    // cancels open orders when it exits, so one it took away is replaced):
    await retrying(3, async () => {
      const id = await placeWhenReady(ctx.api, ctx.state.token, restingOrder(ctx.state.session));
      const row = await seeOrderRow(page, ctx.api, ctx.state.token, id);
      for (const name of ["Place order", /^Cancel/, "Start paper session", /^Stop/, /^Flatten/, "Start"]) {
        same(await page.getByRole("button", { name }).count(), 0, `buttons named ${name}`);
      }
      same(await page.getByTestId("order-ticket").count(), 0, "order tickets");
      if ((await row.count()) === 0) throw new Retry(`${id} left the table during the checks`);
    });

    const viewer = await ctx.api.token(users.viewer, PASSWORD);
    const manual = async () =>
      (await ctx.api.ok("GET", "/orders", { token: viewer })).map((o) => o.order.client_id).filter((id) => id.startsWith("manual"));
    const before = new Set(await manual());
    const refused = await ctx.api.call("POST", "/orders", { token: viewer, body: restingOrder(ctx.state.session) });
    same(refused.status, 403, `POST /orders as a viewer (${JSON.stringify(refused.body)})`);
    const added = (await manual()).filter((id) => !before.has(id));
    same(added, [], "operator orders added by the viewer's refused POST");
  },
};
