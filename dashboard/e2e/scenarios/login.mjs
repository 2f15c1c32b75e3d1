// Scenario 1: signing in through the UI with TOTP. The password step asks
// for a code; a wrong code is refused with an error and the page stays on
// sign-in; the right code opens the shell with the seven views'
// navigation and the live stream `Connected`.

import { connectionBadge, navigation, newPage, submitLogin, VIEW_LABELS, waitConnected } from "../browser.mjs";
import { PASSWORD } from "../api.mjs";
import { check, same } from "../runner.mjs";
import { wrongCode } from "../totp.mjs";

export const loginWithTotp = {
  name: "sign in with TOTP: a wrong code is refused, the right one opens the shell",
  timeoutMs: 90_000,
  async run(ctx) {
    const { page } = await ctx.open();
    const { users, totp } = ctx.accounts;
    await page.goto("/");
    // The server answers its health probe: no offline warning.
    await page.getByLabel("Username").waitFor();
    await page.waitForLoadState("networkidle");
    check((await page.getByText("You are offline").count()) === 0, "an offline warning while smc serve answers");
    await submitLogin(page, users.totp, PASSWORD);
    const code = page.getByLabel("Code");
    await code.waitFor();

    // A wrong code: an error, and still the sign-in form.
    await code.fill(wrongCode(totp.secret));
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    check((await alert.innerText()).trim().length > 0, "the refusal says something");
    check(await page.getByLabel("Username").isVisible(), "still on the sign-in page after a wrong code");
    same(await navigation(page).count(), 0, "navigation shown after a wrong code");

    // The right code: the shell.
    await code.fill(await totp.nextCode());
    await page.getByRole("button", { name: "Sign in" }).click();
    await navigation(page).waitFor();
    const labels = (await navigation(page).getByRole("link").allInnerTexts()).map((t) => t.trim());
    same(labels, VIEW_LABELS, "navigation labels");
    await waitConnected(page);
    same((await connectionBadge(page).innerText()).trim(), "Connected", "connection state");
    const who = await page.getByTestId("signed-in-user").innerText();
    check(who.includes(users.totp), `the signed-in user is shown (${who})`);
    check((await page.getByLabel("Username").count()) === 0, "the sign-in form is gone");
  },
};
