// Scenario 2: a trader starts a paper session from the Trading view
// against the venue simulator; an order placed meanwhile (through the API,
// outside the page) appears in the open orders over the stream, without a
// reload; the trader cancels it with the confirmation and it leaves the
// table; the strategy's own fills reach the fills table live too.

import { PASSWORD } from "../api.mjs";
import { newPage, signIn } from "../browser.mjs";
import { check, Retry, retrying, until } from "../runner.mjs";

export const SYMBOL = "BTCUSDT";

/** A resting buy far below the market (never fills; 10 USDT, above the 5 USDT minimum notional). */
export const restingOrder = (session) => ({
  session,
  symbol: SYMBOL,
  side: "buy",
  type: "limit",
  qty: "0.01",
  price: "1000",
});

/**
 * Waits for order `id`'s row in the page's open orders; when it does not
 * come, a Retry if the order is no longer open (the strategy cancelled
 * it), else the failure (open, yet not shown).
 */
export async function seeOrderRow(page, api, token, id, timeout = 10_000) {
  const row = page.getByTestId("open-orders").locator(`tr[data-order-id="${id}"]`);
  try {
    await row.waitFor({ timeout });
  } catch (e) {
    const open = await api.ok("GET", "/orders", { token });
    if (!open.some((o) => o.order.client_id === id)) throw new Retry(`${id} was cancelled before it was seen`);
    throw new Error(`${id} is open (GET /orders) but not in the page's open orders: ${e.message}`);
  }
  return row;
}

/** Places `body` once the session takes orders (its first candle); its client id. */
export async function placeWhenReady(api, token, body) {
  const placed = await until(
    "the session to take an order",
    async () => {
      const r = await api.call("POST", "/orders", { token, body });
      return r.status === 201 ? r.body : null;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  return placed.client_id;
}

export const startAndTrade = {
  name: "trading: start a paper session, an order appears live, cancel it with the confirmation",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page } = await ctx.open();
    const { users } = ctx.accounts;
    await signIn(page, users.trader, PASSWORD, "/trading");
    const token = await ctx.api.token(users.trader, PASSWORD);

    // Start from the view, against the simulator.
    await page.getByRole("button", { name: "Start paper session" }).click();
    const dialog = page.getByRole("dialog", { name: "Start paper session" });
    await dialog.getByLabel("Symbols").fill(SYMBOL);
    await dialog.getByLabel("Strategy").selectOption("sma_cross");
    await dialog.getByLabel("Timeframe").fill("1m");
    await dialog.getByLabel("Venue URL").fill(ctx.sim.addr);
    await dialog.getByRole("button", { name: "Start" }).click();
    await dialog.waitFor({ state: "detached" });

    const sessions = page.getByTestId("sessions");
    const row = sessions.locator("tbody tr[data-session-id]").filter({ hasText: "running" });
    await row.first().waitFor();
    const session = await row.first().getAttribute("data-session-id");
    check(session, "the started session has an id");
    const listed = await ctx.api.ok("GET", "/sessions", { token });
    check(
      listed.some((s) => s.id === session && s.state === "running" && s.request.venue_urls?.binance === ctx.sim.addr),
      `GET /sessions lists ${session} running against ${ctx.sim.addr}`,
    );
    ctx.state.session = session;
    ctx.state.token = token;

    // An order placed outside the page appears in its open orders (the stream,
    // no reload); the trader cancels it with the confirmation. The strategy
    // cancels every open order when it exits a position: an order it took
    // away first is tried again with a new one.
    const navigations = [];
    page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
    await retrying(3, async () => {
      const id = await placeWhenReady(ctx.api, token, restingOrder(session));
      const orderRow = await seeOrderRow(page, ctx.api, token, id);
      check((await orderRow.innerText()).includes(SYMBOL), "the order row names the symbol");
      const cancel = orderRow.getByRole("button", { name: `Cancel order ${id}` });
      await cancel.click({ timeout: 2_000 }).catch(() => {
        throw new Retry(`${id} left the table before Cancel was clicked`);
      });
      const confirm = page.getByRole("dialog", { name: "Cancel this order?" });
      await confirm.getByRole("button", { name: "Confirm" }).click();
      const outcome = await Promise.race([
        confirm.waitFor({ state: "detached" }).then(() => "closed"),
        confirm.getByRole("alert").waitFor().then(() => "refused"),
      ]);
      if (outcome === "refused") {
        const why = await confirm.getByRole("alert").innerText();
        await confirm.getByRole("button", { name: "Back" }).click();
        const still = await ctx.api.ok("GET", "/orders", { token });
        if (!still.some((o) => o.order.client_id === id)) throw new Retry(`${id} was gone when cancelled (${why})`);
        throw new Error(`cancelling ${id} was refused: ${why}`);
      }
      await orderRow.waitFor({ state: "detached" });
      const open = await ctx.api.ok("GET", "/orders", { token });
      check(!open.some((o) => o.order.client_id === id), `GET /orders still lists the cancelled ${id}`);
    });

    // The strategy's own fills arrive live.
    const fillRow = page.getByTestId("fills").locator("tbody tr").filter({ hasText: SYMBOL });
    await fillRow.first().waitFor({ timeout: 45_000 });
    check(navigations.length === 0, `the page navigated: ${navigations.join(", ")}`);
  },
};
