// Scenario 6: reconnection. smc serve is stopped under a signed-in page
// (the stream reads `Reconnecting`, the user stays signed in), then
// started again on the same port with the same database: the stream
// reads `Connected` again, without a page reload, and the view reloads
// its snapshot from the new process.

import { PASSWORD } from "../api.mjs";
import { connectionBadge, navigation, signIn, waitConnected } from "../browser.mjs";
import { check, same, until } from "../runner.mjs";
import { startServe } from "../servers.mjs";

export const reconnect = {
  name: "reconnect: smc serve restarted on the same port, the stream reads Reconnecting then Connected",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page } = await ctx.open();
    await signIn(page, ctx.accounts.users.trader, PASSWORD, "/trading");
    const navigations = [];
    page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
    const snapshots = [];
    page.on("response", (r) => r.url().endsWith("/api/v1/sessions") && r.request().method() === "GET" && snapshots.push(r.status()));

    const { listen } = ctx.serve;
    await ctx.serve.stop();
    await connectionBadge(page).filter({ hasText: /^Reconnecting$/ }).waitFor({ timeout: 15_000 });
    check(await navigation(page).isVisible(), "still signed in while the server is away");

    ctx.serve = await startServe(ctx.dir, listen);
    same(ctx.serve.listen, listen, "the restarted server's address");
    const before = snapshots.length;
    await waitConnected(page, 30_000);
    same((await connectionBadge(page).innerText()).trim(), "Connected", "connection state after the restart");
    check(await navigation(page).isVisible(), "still signed in after the restart");
    check((await page.getByLabel("Username").count()) === 0, "not sent back to the sign-in page");
    // The view reloads its snapshot on the new connection.
    await until("GET /sessions reloaded from the new process", () => snapshots.slice(before).includes(200), { timeoutMs: 10_000 });
    check(navigations.length === 0, `the page navigated: ${navigations.join(", ")}`);
  },
};
