// The dashboard's end-to-end suite: a real `smc venue-sim` and `smc serve`
// (the binary at $SMC, serving the built dashboard at /), Debian's Chromium
// through playwright-core, the scenarios in order, screenshots in
// dashboard/test-results/ (copied to docs/dashboard/ with UPDATE_DOCS=1).
// Everything started here is stopped at the end, also on failure or
// Ctrl-C. The last line printed is `N passed, M failed`.

import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Api, setUpAccounts } from "./api.mjs";
import { DESKTOP, launchBrowser, newPage, screenshotDir } from "./browser.mjs";
import { runTests } from "./runner.mjs";
import { SCENARIOS } from "./scenarios/index.mjs";
import { ROOT, SMC, startPreview, startServe, startVenueSim, tempDir } from "./servers.mjs";

const started = Date.now();
const dir = tempDir();
const shots = screenshotDir(ROOT);
const stack = []; // cleanups, last first
let counts = { passed: 0, failed: 0, skipped: 0 };
let cleaning = null;

/** Stops what was started, last first; every caller waits for the one cleanup. */
function cleanUp() {
  cleaning ??= (async () => {
    while (stack.length > 0) await stack.pop()().catch((e) => console.log(`cleanup: ${e}`));
  })();
  return cleaning;
}

// Whatever ends this process early, the servers it started go with it.
process.stdout.on("error", () => undefined); // a closed pipe (| head) must not kill the cleanup
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.once(event, (e) => {
    console.log(`FAIL (${event}): ${e?.stack ?? e}`);
    void cleanUp().finally(() => {
      console.log(`${counts.passed} passed, ${counts.failed + 1} failed`);
      process.exit(1);
    });
  });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.log(`interrupted (${signal})`);
    void cleanUp().finally(() => {
      console.log(`${counts.passed} passed, ${counts.failed + 1} failed`);
      process.exit(1);
    });
  });
}

/** The page at / must be the dashboard, not the page a binary built without it serves. */
async function checkDashboardServed(base) {
  const html = await (await fetch(`${base}/`)).text();
  if (!/<script[^>]+src="\/assets\//.test(html)) {
    throw new Error(`${SMC} serves no dashboard at / (built without dashboard/dist?): run npm run build in dashboard/, then rebuild smc`);
  }
}

try {
  console.log(`smc: ${SMC}; work folder: ${dir}`);
  const sim = await startVenueSim(dir, { speed: Number(process.env.E2E_SIM_SPEED ?? 10) });
  stack.push(() => sim.stop());
  const ctx = { root: ROOT, dir, shots, sim, state: {}, pages: [] };
  ctx.serve = await startServe(dir);
  stack.push(() => ctx.serve.stop());
  // The pages: smc serve's own, or (E2E_DIST) a dashboard build in front of its API.
  ctx.web = ctx.serve.base;
  if (process.env.E2E_DIST) {
    const preview = await startPreview(dir, process.env.E2E_DIST, ctx.serve.base);
    stack.push(() => preview.stop());
    ctx.web = preview.base;
    console.log(`pages from ${process.env.E2E_DIST} through vite preview at ${ctx.web}`);
  }
  await checkDashboardServed(ctx.web);
  ctx.api = new Api(ctx.serve.base);
  ctx.accounts = await setUpAccounts(ctx.api);
  const { browser, close } = await launchBrowser();
  stack.push(close);
  ctx.browser = browser;
  /** A fresh page (own context) for a scenario; closed after the scenario. */
  ctx.open = async (viewport = DESKTOP, options = {}) => {
    const opened = await newPage(browser, ctx.web, viewport, options);
    ctx.pages.push(opened);
    return opened;
  };
  console.log(`servers and accounts ready in ${Date.now() - started} ms`);

  counts = await runTests(SCENARIOS, ctx, {
    afterEach: async (test, error) => {
      const pages = ctx.pages.splice(0);
      if (error) {
        const slug = test.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
        for (const [i, { page, errors }] of pages.entries()) {
          if (errors.length > 0) console.log(`     page errors: ${errors.join(" | ")}`);
          await page.screenshot({ path: join(shots, `failure-${slug}-${i}.png`) }).catch(() => undefined);
        }
      }
      for (const { context } of pages) await context.close().catch(() => undefined);
    },
  });
} catch (e) {
  counts.failed += 1;
  console.log(`FAIL setting up: ${e?.stack ?? e}`);
} finally {
  await cleanUp();
}

if (counts.failed > 0) {
  console.log(`kept the work folder with the servers' logs: ${dir}`);
} else {
  rmSync(dir, { recursive: true, force: true });
}
if (process.env.UPDATE_DOCS === "1" && counts.failed === 0) {
  const docs = join(ROOT, "docs", "dashboard");
  mkdirSync(docs, { recursive: true });
  for (const file of readdirSync(shots).filter((f) => /^(desktop|phone)-.*\.png$/.test(f))) {
    copyFileSync(join(shots, file), join(docs, file));
  }
  console.log(`copied the screenshots to ${docs}`);
}
console.log(`screenshots: ${shots}; ${counts.skipped} skipped; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exitCode = counts.failed > 0 ? 1 : 0;
