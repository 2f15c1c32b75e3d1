// Scenario 4: a viewer sees the Trading view's data but no order
// controls (no order ticket, no Place order, Cancel, Start, Stop or
// Flatten), though an open order and a running session are listed; the
// API refuses the viewer's POST /orders with 403.

import { PASSWORD } from "../api.mjs";
import { signIn } from "../browser.mjs";
import { check, same } from "../runner.mjs";
import { placeWhenReady, restingOrder } from "./trading.mjs";

export const viewerReadOnly = {
  name: "viewer: no order controls in the UI, POST /orders refused with 403",
  timeoutMs: 60_000,
  async run(ctx) {
    check(ctx.state.session, "needs the paper session of the trading scenario");
    // An open order a trader could cancel (left open for the screenshots).
    const id = await placeWhenReady(ctx.api, ctx.state.token, restingOrder(ctx.state.session));
    ctx.state.restingOrder = id;

    const { page } = await ctx.open();
    const { users } = ctx.accounts;
    await signIn(page, users.viewer, PASSWORD, "/trading");
    check((await page.getByTestId("signed-in-user").innerText()).includes("viewer"), "signed in as a viewer");
    await page.getByTestId("open-orders").locator(`tr[data-order-id="${id}"]`).waitFor();
    await page.getByTestId("sessions").locator(`tr[data-session-id="${ctx.state.session}"]`).filter({ hasText: "running" }).waitFor();

    for (const name of ["Place order", /^Cancel/, "Start paper session", /^Stop/, /^Flatten/, "Start"]) {
      same(await page.getByRole("button", { name }).count(), 0, `buttons named ${name}`);
    }
    same(await page.getByTestId("order-ticket").count(), 0, "order tickets");

    const viewer = await ctx.api.token(users.viewer, PASSWORD);
    const refused = await ctx.api.call("POST", "/orders", { token: viewer, body: restingOrder(ctx.state.session) });
    same(refused.status, 403, `POST /orders as a viewer (${JSON.stringify(refused.body)})`);
    const open = await ctx.api.ok("GET", "/orders", { token: viewer });
    const ours = open.filter((o) => o.session === ctx.state.session && o.order.kind.price === "1000").map((o) => o.order.client_id);
    same(ours, [id], "open orders at 1000 after the viewer's refused one");
  },
};
