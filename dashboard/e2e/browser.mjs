// Debian's Chromium driven by playwright-core (Playwright's own browser
// download is not available): one headless browser with a fresh profile,
// a fresh context per scenario, and the page helpers the scenarios share
// (sign in, open a view, wait for the stream, screenshots).

import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };
export const VIEW_LABELS = ["Trading", "Chart", "Risk", "System", "Analytics", "Settings", "Audit"];

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Chromium at $CHROMIUM, else /usr/bin/chromium. Playwright's launch()
 * gives it a fresh temporary user-data dir of its own (it refuses
 * --user-data-dir) and removes it on close.
 */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  // The suite's own handlers close the browser with the servers on a signal.
  const browser = await chromium.launch({
    executablePath,
    args: ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  return {
    browser,
    close: () => browser.close().catch(() => undefined),
  };
}

/** A new page in its own context (its own sessionStorage) at `viewport`. */
export async function newPage(browser, base, viewport = DESKTOP, { serviceWorkers = "block", bypassCSP = false } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport,
    deviceScaleFactor: 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
    serviceWorkers,
    bypassCSP,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** Fills the sign-in form and submits it (no wait for the outcome). */
export async function submitLogin(page, username, password) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The live-data badge in the top bar. */
export const connectionBadge = (page) => page.getByTestId("connection-state");

/** Waits until the stream reads `Connected`. */
export async function waitConnected(page, timeout = 15_000) {
  await connectionBadge(page).filter({ hasText: /^Connected$/ }).waitFor({ timeout });
}

/** Opens the app and signs in as a user without TOTP; waits for the shell and the stream. */
export async function signIn(page, username, password, path = "/") {
  await page.goto(path);
  await submitLogin(page, username, password);
  await waitConnected(page);
}

/** The navigation (the side list on desktop, the drawer's on a phone). */
export const navigation = (page) => page.getByRole("navigation", { name: "Views" });

/** Opens a view from the navigation (opening the phone's drawer first) and waits for its title. */
export async function openView(page, label, { phone = false } = {}) {
  if (phone) await page.getByRole("button", { name: "Open navigation" }).click();
  await navigation(page).getByRole("link", { name: label, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: `SMC Agent · ${label}` }).waitFor();
  await page.getByLabel("Loading").waitFor({ state: "detached" });
}

/** Where screenshots go (a CI artifact), emptied of the previous run's. */
export function screenshotDir(root) {
  const dir = join(root, "dashboard", "test-results");
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => /^(desktop|phone|failure)-.*\.png$/.test(f))) rmSync(join(dir, file));
  return dir;
}

/** A screenshot without click ripples or running animations. */
export async function shoot(page, path) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path, animations: "disabled", style: ".MuiTouchRipple-root { display: none !important; }" });
}
